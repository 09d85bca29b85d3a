import { canModifyEvent } from '../access.js';
import { wallClock } from '../datetime.js';
import { badParameter, ExportApiError } from '../errors.js';
import type { EventRecord, RegistrantRecord } from '../model.js';
import type { HookContext, HookDefinition } from '../registry.js';

const FORMATS = ['json', 'jsonp', 'xml'] as const;

/** Indico's short date format, `dd/mm/yyyy HH:MM`, in the event's time zone (spec §10 regFormRegistrantBasic). */
export function shortDate(ms: number | null, tz: string): string | null {
  if (ms === null) return null;
  const w = wallClock(ms, tz);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(w.day)}/${two(w.month)}/${w.year} ${two(w.hour)}:${two(w.minute)}`;
}

async function eventOf(ctx: HookContext): Promise<EventRecord> {
  const event = await ctx.catalog.getEvent(ctx.groups.event!);
  if (!event) throw new ExportApiError('NOT_FOUND', 'Conference does not exist.');
  return event;
}

async function registrantOf(ctx: HookContext): Promise<{ event: EventRecord; registrant: RegistrantRecord }> {
  const event = await eventOf(ctx);
  const registrant = await ctx.catalog.getRegistrant(event.id, ctx.groups.registrant!);
  if (!registrant) throw new ExportApiError('NOT_FOUND', 'Registrant not found');
  return { event, registrant };
}

/** Access of spec §9.5: managers of the event (and admins); an unknown event is a 404, not a 403. */
async function managesEvent(ctx: HookContext): Promise<boolean> {
  return canModifyEvent(await eventOf(ctx), ctx.user);
}

function yesNo(ctx: HookContext, name: string): boolean {
  const v = ctx.params.get(name);
  if (v === undefined) throw badParameter(`Argument(s) missing: ${name}`);
  if (v !== 'yes' && v !== 'no') throw badParameter(`${name} must be yes or no`);
  return v === 'yes';
}

const personalData = (r: RegistrantRecord) => ({ ...r.personalData });

function basic(r: RegistrantRecord, tz: string) {
  return {
    _type: 'Registrant',
    _fossil: 'regFormRegistrantBasic',
    registrant_id: r.id,
    full_name: r.fullName,
    registration_date: shortDate(r.registrationDate, tz),
    paid: r.paid,
    amount_paid: r.paid === null ? null : r.amountPaid,
    checked_in: r.checkedIn,
    checkin_date: shortDate(r.checkinDate, tz),
  };
}

function full(r: RegistrantRecord, tz: string) {
  return {
    ...basic(r, tz),
    _fossil: 'regFormRegistrantFull',
    accommodation: r.accommodation ?? null,
    reasonParticipation: r.reasonParticipation ?? '',
    socialEvents: r.socialEvents ?? [],
    sessionList: r.sessionList ?? [],
    miscellaneousGroupList: r.miscellaneousGroupList ?? [],
  };
}

/** `/export/event/{event}/registrants` (spec §9.5). */
export const registrantsHook: HookDefinition = {
  name: 'registrants',
  pattern: '(event)/(?<event>\\w+)/registrants',
  formats: FORMATS,
  noCache: true,
  hasAccess: managesEvent,
  async handler(ctx) {
    const event = await eventOf(ctx);
    const list = await ctx.catalog.getRegistrants(event.id);
    return {
      results: {
        registrants: list.map((r) => ({
          registrant_id: r.id,
          checked_in: r.checkedIn,
          full_name: r.fullName,
          checkin_secret: r.checkinSecret,
          personal_data: personalData(r),
        })),
      },
    };
  },
};

/** `/export/event/{event}/registrant/{id}` with detail `basic` (default) or `full` (spec §9.5). */
export const registrantHook: HookDefinition = {
  name: 'registrant',
  pattern: '(event)/(?<event>\\w+)/registrant/(?<registrant>\\w+)',
  formats: FORMATS,
  noCache: true,
  detailLevels: { basic: 1, full: 1 },
  defaultDetail: 'basic',
  hasAccess: managesEvent,
  async handler(ctx) {
    const { event, registrant } = await registrantOf(ctx);
    if (ctx.common.detail === 'full') return { results: full(registrant, event.timezone) };
    return { results: { ...basic(registrant, event.timezone), personal_data: personalData(registrant) } };
  },
};

/** `POST /api/event/{event}/registrant/{id}/pay` with `is_paid=yes|no` (spec §9.5). */
export const registrantPayHook: HookDefinition = {
  name: 'registrant-pay',
  prefix: 'api',
  pattern: '(event)/(?<event>\\w+)/registrant/(?<registrant>\\w+)/pay',
  formats: FORMATS,
  noCache: true,
  hasAccess: managesEvent,
  async handler(ctx) {
    const { event, registrant } = await registrantOf(ctx);
    const isPaid = yesNo(ctx, 'is_paid');
    if (registrant.paid === null) throw new ExportApiError('SOFT_FAILURE', 'E-payment is not enabled');
    const amount = isPaid ? (registrant.amountDue ?? registrant.amountPaid ?? 0) : 0;
    const next = await ctx.catalog.updateRegistrantState(event.id, registrant.id, {
      paid: isPaid,
      amountPaid: amount,
    });
    if (!next) throw new ExportApiError('NOT_FOUND', 'Registrant not found');
    await ctx.recordChanges([
      {
        ref: { kind: 'event', id: event.id },
        changes: 'data_changed',
        detail: `registrant ${registrant.id} ${isPaid ? 'paid' : 'unpaid'}`,
      },
    ]);
    return { results: { paid: next.paid, amount_paid: next.amountPaid } };
  },
};

/** `POST /api/event/{event}/registrant/{id}/checkin` with `secret` and `checked_in=yes|no` (spec §9.5). */
export const registrantCheckinHook: HookDefinition = {
  name: 'registrant-checkin',
  prefix: 'api',
  pattern: '(event)/(?<event>\\w+)/registrant/(?<registrant>\\w+)/checkin',
  formats: FORMATS,
  noCache: true,
  async hasAccess(ctx) {
    if (!(await managesEvent(ctx))) return false;
    const { registrant } = await registrantOf(ctx);
    return ctx.params.get('secret') === registrant.checkinSecret;
  },
  async handler(ctx) {
    const { event, registrant } = await registrantOf(ctx);
    const checkedIn = yesNo(ctx, 'checked_in');
    const next = await ctx.catalog.updateRegistrantState(event.id, registrant.id, {
      checkedIn,
      checkinDate: checkedIn ? ctx.now : null,
    });
    if (!next) throw new ExportApiError('NOT_FOUND', 'Registrant not found');
    await ctx.recordChanges([
      {
        ref: { kind: 'event', id: event.id },
        changes: 'data_changed',
        detail: `registrant ${registrant.id} ${checkedIn ? 'checked in' : 'checked out'}`,
      },
    ]);
    return { results: { checked_in: next.checkedIn, checkin_date: shortDate(next.checkinDate, event.timezone) } };
  },
};
