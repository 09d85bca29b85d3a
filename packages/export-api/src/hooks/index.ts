import type { HookDefinition } from '../registry.js';
import { categoryEventHook } from './categ-event.js';
import { contributionHook, sessionHook } from './event-parts.js';
import { fileHook } from './file.js';
import { registrantCheckinHook, registrantHook, registrantPayHook, registrantsHook } from './registration.js';
import { bookRoomHook, reservationHook, roomHook, roomNameHook } from './rooms.js';
import { eventSearchHook } from './search.js';
import { timetableHook } from './timetable.js';
import { userEventsHook, userHook } from './user.js';
import { videoHook } from './video.js';

/** The core resources in Indico's registration order (spec §1.2): the first matching pattern wins. */
export const CORE_HOOKS: readonly HookDefinition[] = Object.freeze([
  timetableHook,
  eventSearchHook,
  categoryEventHook,
  sessionHook,
  contributionHook,
  userEventsHook,
  userHook,
  registrantsHook,
  registrantHook,
  registrantPayHook,
  registrantCheckinHook,
  roomHook,
  roomNameHook,
  reservationHook,
  bookRoomHook,
  videoHook,
  fileHook,
]);
