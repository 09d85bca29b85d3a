export { Client, type ClientOptions, type ListOptions, type SchedulerStatus, type TaskReference } from './client.js';
export { type Clock, systemClock, systemTimers, type Timers } from './clock.js';
export { isSchedulerError, SchedulerError, type SchedulerErrorCode } from './errors.js';
export { type SchedulerEventName, type SchedulerEvents, type TaskEventBase, TypedEmitter } from './events.js';
export type { JsonValue } from './json.js';
export { type Logger, silentLogger } from './logger.js';
export { OneShotTask } from './one-shot-task.js';
export { PeriodicTask, type PeriodicTaskOptions } from './periodic-task.js';
export { parseTaskUid, type TaskData, type TaskKind, type TaskRecord, taskUid } from './record.js';
export {
  type Frequency,
  firstOccurrence,
  nextOccurrence,
  type RecurrenceOptions,
  type StoredRule,
  type WeekdayName,
} from './recurrence.js';
export { TaskRegistry, type TaskTypeOptions } from './registry.js';
export {
  type MultitaskMode,
  Scheduler,
  type SchedulerConfig,
  type TickReport,
} from './scheduler.js';
export { TaskStatus, type TaskStatusName, taskStatusAbbreviation, taskStatusName } from './states.js';
export type {
  ClaimedTask,
  Completion,
  DaemonInfo,
  DaemonState,
  DeadLetter,
  IndexEntry,
  IndexName,
  NewTask,
  OccurrenceRecord,
  PruneOptions,
  RestartResult,
  RunOutcome,
  RunResult,
  SchedulerStore,
  SpoolEntry,
  SpoolItem,
  SpoolOutcome,
  SpoolResult,
  StepInput,
  StepOutput,
  StoreCounts,
  TaskTarget,
} from './store.js';
export { createMemoryStore, type MemorySchedulerStore } from './stores/memory.js';
export { BaseTask, type BaseTaskOptions, type TaskClass, type TaskContext } from './task.js';
export { isTaskDelayed, TaskDelayed } from './task-delayed.js';
export { instantToWall, wallToInstant, zoneOffset } from './time-zone.js';
