export {
  type AgentInfo,
  type AgentRunContext,
  isPushSyncAgent,
  PushSyncAgent,
  type RunContext,
  SyncAgent,
  type SyncAgentOptions,
  type SyncWindow,
} from './agent.js';
export { createFileAgent, FileAgent, type FileAgentLine, type FileAgentOptions } from './agents/file.js';
export {
  createHttpPushAgent,
  type HttpBatchBody,
  HttpPushAgent,
  type HttpPushAgentOptions,
} from './agents/http.js';
export { ChangeCollector, currentCollector, recordChange, runWithCollector, withChanges } from './capture.js';
export {
  assertObjectRef,
  CHANGE_TYPES,
  type ChangeEntry,
  type ChangeType,
  type Codec,
  changeEntryCodec,
  decodeEntry,
  encodeEntry,
  formatEntry,
  isChangeType,
  isObjectKind,
  jsonCodec,
  normalizeChanges,
  OBJECT_KINDS,
  type ObjectKind,
  type ObjectRef,
  refKey,
} from './changes.js';
export { type CompactedChange, type ContentResolver, compactChanges, type Ref } from './compaction.js';
export { isLivesyncError, LivesyncError, type LivesyncErrorCode } from './errors.js';
export { type Clock, type Logger, silentLogger } from './logger.js';
export { formatRecord, makeRecord, type RecordChange, type SyncRecord } from './record.js';
export {
  RecordUploader,
  type RecordUploaderOptions,
  type UploadBatchInfo,
  type UploadSummary,
} from './record-uploader.js';
export { type AgentRunResult, runActiveAgents } from './runner.js';
export type { AgentPatch, AgentRecord, ContainerMode, TrackItem, TrackStore } from './store.js';
export { createMemoryTrackStore } from './stores/memory.js';
export { type AgentFactory, type ChangeInput, SyncManager, type SyncManagerOptions } from './sync-manager.js';
export { MultiPointerTrack, SetMultiPointerTrack, type TrackOptions } from './track.js';
