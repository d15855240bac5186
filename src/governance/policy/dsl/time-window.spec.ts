import { describe, expect, it } from '@jest/globals';
import { PolicyCompileError } from '../policy.types.js';
import { DslScope } from './dsl.reader.js';
import { compilePolicy } from './policy.compiler.js';
import { compileTimeOfDay } from './time-window.js';

const PATH = 'conditions.time_of_day';

function window(spec: unknown): (now: number) => boolean {
  return compileTimeOfDay(new DslScope('r', "Rule 'r'"), PATH, spec);
}

function refusal(spec: unknown): PolicyCompileError {
  try {
    window(spec);
  } catch (error) {
    if (error instanceof PolicyCompileError) return error;
    throw error;
  }
  throw new Error('the window compiled');
}

/** Epoch milliseconds of an ISO instant (always written with its `Z` or offset). */
const at = (iso: string): number => Date.parse(iso);

// 2024-01-15 is a Monday, 2024-01-19 a Friday, 2024-01-20 a Saturday.
describe(compileTimeOfDay.name, () => {
  describe('between (UTC by default)', () => {
    const office = window({ between: ['08:00', '20:00'] });

    it.each([
      ['2024-01-15T07:59:59Z', false],
      ['2024-01-15T08:00:00Z', true],
      ['2024-01-15T13:30:00Z', true],
      ['2024-01-15T19:59:59Z', true],
      ['2024-01-15T20:00:00Z', false],
      ['2024-01-15T23:00:00Z', false],
    ])('at %s: %s (start inclusive, end exclusive)', (instant, expected) => {
      expect(office(at(instant))).toBe(expected);
    });

    it('accepts 24:00 as the end of the day', () => {
      const evening = window({ between: ['20:00', '24:00'] });
      expect(evening(at('2024-01-15T19:59:00Z'))).toBe(false);
      expect(evening(at('2024-01-15T20:00:00Z'))).toBe(true);
      expect(evening(at('2024-01-15T23:59:59Z'))).toBe(true);
      expect(evening(at('2024-01-16T00:00:00Z'))).toBe(false);
      const allDay = window({ between: ['00:00', '24:00'] });
      expect(allDay(at('2024-01-16T00:00:00Z'))).toBe(true);
      expect(allDay(at('2024-01-16T23:59:00Z'))).toBe(true);
    });

    it('narrows to the listed days', () => {
      const weekdays = window({ between: ['08:00', '20:00'], days: ['mon', 'TUE', 'Friday'] });
      expect(weekdays(at('2024-01-15T12:00:00Z'))).toBe(true); // Monday
      expect(weekdays(at('2024-01-16T12:00:00Z'))).toBe(true); // Tuesday
      expect(weekdays(at('2024-01-17T12:00:00Z'))).toBe(false); // Wednesday
      expect(weekdays(at('2024-01-19T12:00:00Z'))).toBe(true); // Friday
      expect(weekdays(at('2024-01-21T12:00:00Z'))).toBe(false); // Sunday
    });
  });

  describe('outside', () => {
    it('matches outside the window, the start excluded and the end included', () => {
      const nights = window({ outside: ['08:00', '20:00'] });
      expect(nights(at('2024-01-15T07:59:00Z'))).toBe(true);
      expect(nights(at('2024-01-15T08:00:00Z'))).toBe(false);
      expect(nights(at('2024-01-15T19:59:00Z'))).toBe(false);
      expect(nights(at('2024-01-15T20:00:00Z'))).toBe(true);
    });

    it('with days, is the complement of the narrowed window (a weekend is outside office hours)', () => {
      const offHours = window({
        outside: ['08:00', '20:00'],
        days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      });
      expect(offHours(at('2024-01-19T12:00:00Z'))).toBe(false); // Friday noon
      expect(offHours(at('2024-01-19T21:00:00Z'))).toBe(true); // Friday night
      expect(offHours(at('2024-01-20T12:00:00Z'))).toBe(true); // Saturday noon
    });
  });

  describe('a window crossing midnight', () => {
    const night = window({ between: ['22:00', '06:00'] });
    const fridayNight = window({ between: ['22:00', '06:00'], days: ['fri'] });

    it.each([
      ['2024-01-15T21:59:00Z', false],
      ['2024-01-15T22:00:00Z', true],
      ['2024-01-15T23:59:00Z', true],
      ['2024-01-16T00:00:00Z', true],
      ['2024-01-16T05:59:00Z', true],
      ['2024-01-16T06:00:00Z', false],
      ['2024-01-16T12:00:00Z', false],
    ])('at %s: %s', (instant, expected) => {
      expect(night(at(instant))).toBe(expected);
    });

    it.each([
      ['Friday 23:00', '2024-01-19T23:00:00Z', true],
      ['Saturday 02:00 (Friday night still)', '2024-01-20T02:00:00Z', true],
      ['Saturday 06:00 (ended)', '2024-01-20T06:00:00Z', false],
      ['Friday 02:00 (Thursday night)', '2024-01-19T02:00:00Z', false],
      ['Saturday 23:00 (Saturday night)', '2024-01-20T23:00:00Z', false],
    ])('with days [fri], %s: %s', (_label, instant, expected) => {
      expect(fridayNight(at(instant))).toBe(expected);
    });

    it('outside it is the daytime', () => {
      const day = window({ outside: ['22:00', '06:00'] });
      expect(day(at('2024-01-16T05:59:00Z'))).toBe(false);
      expect(day(at('2024-01-16T06:00:00Z'))).toBe(true);
      expect(day(at('2024-01-16T21:59:00Z'))).toBe(true);
      expect(day(at('2024-01-16T22:00:00Z'))).toBe(false);
    });
  });

  describe('IANA time zones', () => {
    it('reads the local time of America/New_York across daylight saving time', () => {
      const office = window({ between: ['08:00', '20:00'], timezone: 'America/New_York' });
      // Winter (EST, UTC-5): 08:00 local is 13:00 UTC.
      expect(office(at('2024-01-15T12:30:00Z'))).toBe(false);
      expect(office(at('2024-01-15T13:00:00Z'))).toBe(true);
      expect(office(at('2024-01-16T00:59:00Z'))).toBe(true);
      expect(office(at('2024-01-16T01:00:00Z'))).toBe(false);
      // Summer (EDT, UTC-4): 08:00 local is 12:00 UTC.
      expect(office(at('2024-07-15T11:59:00Z'))).toBe(false);
      expect(office(at('2024-07-15T12:00:00Z'))).toBe(true);
      expect(office(at('2024-07-15T12:30:00Z'))).toBe(true);
      expect(office(at('2024-07-16T00:00:00Z'))).toBe(false);
    });

    it('jumps over the hour lost on the night clocks go forward (2024-03-10 in New York)', () => {
      const lostHour = window({ between: ['02:00', '03:00'], timezone: 'America/New_York' });
      expect(lostHour(at('2024-03-10T06:59:00Z'))).toBe(false); // 01:59 EST
      expect(lostHour(at('2024-03-10T07:00:00Z'))).toBe(false); // 03:00 EDT
      expect(lostHour(at('2024-03-09T07:30:00Z'))).toBe(true); // 02:30 EST, the day before
    });

    it('reads Europe/Paris, including the hour lived twice when clocks go back', () => {
      const early = window({ between: ['02:00', '03:00'], timezone: 'Europe/Paris' });
      // 2024-03-31: 02:00 CET becomes 03:00 CEST at 01:00 UTC; there is no 02:xx that night.
      expect(early(at('2024-03-31T00:59:00Z'))).toBe(false); // 01:59 CET
      expect(early(at('2024-03-31T01:00:00Z'))).toBe(false); // 03:00 CEST
      // 2024-10-27: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 happens twice.
      expect(early(at('2024-10-27T00:30:00Z'))).toBe(true); // 02:30 CEST
      expect(early(at('2024-10-27T01:30:00Z'))).toBe(true); // 02:30 CET
      expect(early(at('2024-10-27T02:00:00Z'))).toBe(false); // 03:00 CET
    });

    it('takes the day of week in the zone, not in UTC', () => {
      // Monday 03:00 UTC is still Sunday 22:00 in New York.
      const sunday = window({
        between: ['20:00', '24:00'],
        timezone: 'America/New_York',
        days: ['sun'],
      });
      const monday = window({
        between: ['20:00', '24:00'],
        timezone: 'America/New_York',
        days: ['mon'],
      });
      expect(sunday(at('2024-01-15T03:00:00Z'))).toBe(true);
      expect(monday(at('2024-01-15T03:00:00Z'))).toBe(false);
    });

    it('crosses midnight in a zone: Friday night in Paris runs into Saturday morning', () => {
      const fridayNight = window({
        between: ['22:00', '06:00'],
        timezone: 'Europe/Paris',
        days: ['fri'],
      });
      expect(fridayNight(at('2024-01-19T21:00:00Z'))).toBe(true); // Friday 22:00 CET
      expect(fridayNight(at('2024-01-20T04:59:00Z'))).toBe(true); // Saturday 05:59 CET
      expect(fridayNight(at('2024-01-20T05:00:00Z'))).toBe(false); // Saturday 06:00 CET
      expect(fridayNight(at('2024-01-19T20:59:00Z'))).toBe(false); // Friday 21:59 CET
    });

    it('accepts UTC spellings and keeps two zones apart', () => {
      const utc = window({ between: ['08:00', '09:00'], timezone: 'Etc/UTC' });
      const tokyo = window({ between: ['08:00', '09:00'], timezone: 'Asia/Tokyo' });
      expect(utc(at('2024-01-15T08:30:00Z'))).toBe(true);
      expect(tokyo(at('2024-01-15T08:30:00Z'))).toBe(false);
      expect(tokyo(at('2024-01-14T23:30:00Z'))).toBe(true);
      expect(utc(at('2024-01-14T23:30:00Z'))).toBe(false);
    });
  });

  describe('refusals', () => {
    it.each([
      [
        'an unknown zone',
        { between: ['08:00', '20:00'], timezone: 'Mars/Olympus' },
        `r.${PATH}.timezone`,
        /'Mars\/Olympus' is not a known IANA time zone/,
      ],
      [
        'a zone that is not a string',
        { between: ['08:00', '20:00'], timezone: 2 },
        `r.${PATH}.timezone`,
        /must be an IANA time zone name/,
      ],
      [
        'neither between nor outside',
        { timezone: 'UTC' },
        `r.${PATH}`,
        /exactly one of `between` or `outside`/,
      ],
      [
        'both between and outside',
        { between: ['08:00', '20:00'], outside: ['08:00', '20:00'] },
        `r.${PATH}`,
        /exactly one of/,
      ],
      [
        'a window of one time',
        { between: ['08:00'] },
        `r.${PATH}.between`,
        /list of two 'HH:MM' times/,
      ],
      [
        'an hour past 23',
        { between: ['25:00', '26:00'] },
        `r.${PATH}.between[0]`,
        /'HH:MM' time from 00:00 to 23:59/,
      ],
      ['24:00 as a start', { between: ['24:00', '06:00'] }, `r.${PATH}.between[0]`, /got '24:00'/],
      [
        'a time written as a number',
        { outside: ['08:00', 2000] },
        `r.${PATH}.outside[1]`,
        /\(or 24:00\), got '2000'/,
      ],
      [
        'an empty window',
        { between: ['08:00', '08:00'] },
        `r.${PATH}.between`,
        /same time.*\["00:00", "24:00"\]/,
      ],
      [
        'an unknown day',
        { between: ['08:00', '20:00'], days: ['mon', 'funday'] },
        `r.${PATH}.days`,
        /\[1\] is 'funday', not a day/,
      ],
      [
        'a misspelt key',
        { between: ['08:00', '20:00'], tz: 'UTC' },
        `r.${PATH}.tz`,
        /did you mean 'timezone'/,
      ],
      [
        'a list instead of a mapping',
        ['08:00', '20:00'],
        `r.${PATH}`,
        /must be a mapping with `between` or `outside`, got a list/,
      ],
    ])('refuses %s', (_label, spec, param, message) => {
      const error = refusal(spec);
      expect(error.param).toBe(param);
      expect(error.message).toMatch(/^Rule 'r': /);
      expect(error.message).toMatch(message);
    });

    it('names the rule and key when the zone is unknown in a policy', () => {
      const dsl = `rules:
  - id: office-hours
    conditions:
      time_of_day: { between: ["08:00", "20:00"], timezone: Europe/Pariss }
`;
      expect(() =>
        compilePolicy(
          { id: 'p', tenant: null, status: 'ACTIVE', dsl },
          { known: new Set(), active: new Set() },
        ),
      ).toThrow(
        expect.objectContaining({
          param: 'office-hours.conditions.time_of_day.timezone',
          message: expect.stringContaining("'Europe/Pariss' is not a known IANA time zone"),
        }),
      );
    });
  });
});
