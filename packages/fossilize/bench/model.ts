// The object graph of the benchmark: event-like class instances with getter methods, each with 5 nested
// contribution objects (the shape Indico's export API fossilizes), and three mappers to the same JSON.
import 'reflect-metadata';
import { Expose, instanceToPlain, Transform } from 'class-transformer';
import { defineFossil, fossilize, fossilizes } from '../src/index.js';

export class Contribution {
  constructor(
    private readonly id: number,
    private readonly title: string,
    private readonly start: Date,
    private readonly duration: number,
    private readonly speaker: string,
  ) {}
  getId() {
    return this.id;
  }
  getTitle() {
    return this.title;
  }
  getStartDate() {
    return this.start;
  }
  getDuration() {
    return this.duration;
  }
  getSpeakerName() {
    return this.speaker;
  }
}

export class Event {
  constructor(
    private readonly id: number,
    private readonly title: string,
    private readonly description: string,
    private readonly start: Date,
    private readonly end: Date,
    private readonly location: string,
    private readonly categoryId: number,
    private readonly contributions: Contribution[],
  ) {}
  getId() {
    return this.id;
  }
  getTitle() {
    return this.title;
  }
  getDescription() {
    return this.description;
  }
  getStartDate() {
    return this.start;
  }
  getEndDate() {
    return this.end;
  }
  getLocation() {
    return this.location;
  }
  getCategoryId() {
    return this.categoryId;
  }
  getContributions() {
    return this.contributions;
  }
  isPublic() {
    return this.categoryId % 2 === 0;
  }
}

export function makeEvents(n: number): Event[] {
  const out: Event[] = [];
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < n; i++) {
    const start = new Date(t0 + i * 3_600_000);
    const contributions: Contribution[] = [];
    for (let j = 0; j < 5; j++) {
      contributions.push(
        new Contribution(
          i * 10 + j,
          `Talk ${j} of event ${i}`,
          new Date(start.getTime() + j * 1_200_000),
          20,
          `Speaker ${j}`,
        ),
      );
    }
    out.push(
      new Event(
        i,
        `Event ${i}`,
        `Description of event ${i}`,
        start,
        new Date(start.getTime() + 7_200_000),
        'CERN',
        i % 50,
        contributions,
      ),
    );
  }
  return out;
}

const iso = (d: Date) => d.toISOString();

// ---- 1. hand-written mapping function (the practical limit) -----------------------------------------

function mapContribution(c: Contribution) {
  return {
    id: c.getId(),
    title: c.getTitle(),
    startDate: c.getStartDate().toISOString(),
    duration: c.getDuration(),
    speaker: c.getSpeakerName(),
    _type: 'Contribution',
    _fossil: 'contribution',
  };
}

function mapEvent(e: Event) {
  const cs = e.getContributions();
  const contributions = new Array(cs.length);
  for (let i = 0; i < cs.length; i++) contributions[i] = mapContribution(cs[i]!);
  return {
    id: e.getId(),
    title: e.getTitle(),
    description: e.getDescription(),
    startDate: e.getStartDate().toISOString(),
    endDate: e.getEndDate().toISOString(),
    location: e.getLocation(),
    categoryId: e.getCategoryId(),
    isPublic: e.isPublic(),
    contributions,
    _type: 'Event',
    _fossil: 'event',
  };
}

export function handWritten(events: Event[]): unknown {
  const out = new Array(events.length);
  for (let i = 0; i < events.length; i++) out[i] = mapEvent(events[i]!);
  return out;
}

// ---- 2. fossilize -------------------------------------------------------------------------------------

export const IContributionFossil = defineFossil('IContributionFossil', {
  getId: { type: 'integer' },
  getTitle: { type: 'string' },
  getStartDate: { convert: iso },
  getDuration: { type: 'integer' },
  getSpeakerName: { name: 'speaker', type: 'string' },
});
export const IEventFossil = defineFossil('IEventFossil', {
  getId: { type: 'integer' },
  getTitle: { type: 'string' },
  getDescription: { type: 'string' },
  getStartDate: { convert: iso },
  getEndDate: { convert: iso },
  getLocation: { type: 'string' },
  getCategoryId: { type: 'integer' },
  isPublic: { type: 'boolean' },
  getContributions: { result: IContributionFossil, type: 'array' },
});
fossilizes(Event, IEventFossil);
fossilizes(Contribution, IContributionFossil);

export function withFossilize(events: Event[]): unknown {
  return fossilize(events, IEventFossil);
}

// ---- 3. class-transformer (instanceToPlain with @Expose / @Transform in a group) ---------------------
// The decorators are applied by hand, exactly as legacy decorators would be, so no compiler flag is needed.

function ctTypeMarkers(cls: { prototype: object }, type: string, fossil: string) {
  Object.assign(cls.prototype, { ctType: () => type, ctFossil: () => fossil });
  Expose({ name: '_type', groups: ['export'] })(cls.prototype, 'ctType');
  Expose({ name: '_fossil', groups: ['export'] })(cls.prototype, 'ctFossil');
}

function expose(cls: { prototype: object }, method: string, name: string, toIso = false) {
  Expose({ name, groups: ['export'] })(cls.prototype, method);
  // On a method, class-transformer hands the transform the function itself (and has already called it once
  // for the untransformed value), so the transform calls it again: that is how @Transform works on methods.
  if (toIso)
    Transform(({ value, obj }) => (value as () => Date).call(obj).toISOString(), { groups: ['export'] })(
      cls.prototype,
      method,
    );
}

expose(Contribution, 'getId', 'id');
expose(Contribution, 'getTitle', 'title');
expose(Contribution, 'getStartDate', 'startDate', true);
expose(Contribution, 'getDuration', 'duration');
expose(Contribution, 'getSpeakerName', 'speaker');
ctTypeMarkers(Contribution, 'Contribution', 'contribution');
expose(Event, 'getId', 'id');
expose(Event, 'getTitle', 'title');
expose(Event, 'getDescription', 'description');
expose(Event, 'getStartDate', 'startDate', true);
expose(Event, 'getEndDate', 'endDate', true);
expose(Event, 'getLocation', 'location');
expose(Event, 'getCategoryId', 'categoryId');
expose(Event, 'isPublic', 'isPublic');
expose(Event, 'getContributions', 'contributions');
ctTypeMarkers(Event, 'Event', 'event');

export function withClassTransformer(events: Event[]): unknown {
  return instanceToPlain(events, { groups: ['export'], strategy: 'excludeAll' });
}
