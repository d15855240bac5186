/**
 * The `time_of_day` condition: a daily window `[start, end)` in an IANA time zone, optionally on
 * some days only. A window that crosses midnight belongs to the day it starts on.
 */
import { checkKeys, type DslScope, field, readMapping, readStringList } from './dsl.reader.js';
import { quote } from './key-hints.js';

const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const ALL_DAYS = 0b111_1111;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const FULL_WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
];
/** `Intl`'s short English weekday names, Monday first. */
const INTL_WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
/** 1970-01-01, day 0 of the epoch, was a Thursday (Monday is 0). */
const EPOCH_WEEKDAY = 3;
const TIME_PATTERN = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Etc/Zulu']);

const KEYS = ['between', 'outside', 'timezone', 'days'] as const;
const KEY_ALIASES: Readonly<Record<string, string>> = {
  tz: 'timezone',
  zone: 'timezone',
  inside: 'between',
  within: 'between',
  window: 'between',
  hours: 'between',
  notbetween: 'outside',
  except: 'outside',
  weekdays: 'days',
  day: 'days',
  dow: 'days',
};

/**
 * Local time in one zone, from epoch milliseconds: one `Intl.DateTimeFormat` per zone, built when a
 * rule is compiled and shared by every rule naming the zone. The last minute read is remembered,
 * since consecutive calls mostly fall in the same minute (zone offsets are whole minutes).
 */
class ZoneClock {
  private minute = Number.NaN;
  private minuteOfWeek = 0;

  constructor(private readonly format: Intl.DateTimeFormat | undefined) {}

  /** Minutes since the start of the local Monday (0 to 10079). */
  read(now: number): number {
    const minute = Math.floor(now / 60_000);
    if (minute !== this.minute) {
      this.minuteOfWeek = this.format === undefined ? utcMinuteOfWeek(minute) : this.local(now);
      this.minute = minute;
    }
    return this.minuteOfWeek;
  }

  private local(now: number): number {
    let day = 0;
    let hour = 0;
    let minute = 0;
    for (const part of this.format!.formatToParts(now)) {
      if (part.type === 'weekday') day = INTL_WEEKDAYS.indexOf(part.value);
      else if (part.type === 'hour') hour = Number(part.value) % 24;
      else if (part.type === 'minute') minute = Number(part.value);
    }
    return day * MINUTES_PER_DAY + hour * 60 + minute;
  }
}

function utcMinuteOfWeek(epochMinute: number): number {
  const shifted = epochMinute + EPOCH_WEEKDAY * MINUTES_PER_DAY;
  return ((shifted % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
}

const clocks = new Map<string, ZoneClock>();

/** The clock of a zone; undefined when the zone is not one `Intl` knows. */
function clockFor(zone: string): ZoneClock | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat(undefined, { timeZone: zone }).resolvedOptions().timeZone;
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  let clock = clocks.get(resolved);
  if (clock === undefined) {
    clock = new ZoneClock(
      UTC_ZONES.has(resolved)
        ? undefined
        : new Intl.DateTimeFormat('en-US', {
            timeZone: resolved,
            hourCycle: 'h23',
            weekday: 'short',
            hour: 'numeric',
            minute: 'numeric',
          }),
    );
    clocks.set(resolved, clock);
  }
  return clock;
}

function readTime(scope: DslScope, path: string, value: unknown, isEnd: boolean): number {
  if (isEnd && value === '24:00') return MINUTES_PER_DAY;
  const match = typeof value === 'string' ? TIME_PATTERN.exec(value) : null;
  if (match === null) {
    throw scope.error(
      path,
      `${path} must be a quoted 'HH:MM' time from 00:00 to 23:59${isEnd ? ' (or 24:00)' : ''}, got ${quote(value)}`,
    );
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

function readDays(scope: DslScope, path: string, value: unknown): number {
  let mask = 0;
  readStringList(scope, path, value, 'days (mon..sun)', 16).forEach((name, index) => {
    const lower = name.toLowerCase();
    let day = WEEKDAYS.indexOf(lower as (typeof WEEKDAYS)[number]);
    if (day < 0) day = FULL_WEEKDAYS.indexOf(lower);
    if (day < 0) {
      throw scope.error(
        path,
        `${path}[${index}] is ${quote(name)}, not a day; use ${WEEKDAYS.join(', ')} (or full names)`,
      );
    }
    mask |= 1 << day;
  });
  return mask;
}

/** Compiles a `time_of_day` mapping into a test of epoch milliseconds. */
export function compileTimeOfDay(
  scope: DslScope,
  path: string,
  value: unknown,
): (now: number) => boolean {
  const spec = readMapping(scope, path, value, 'a mapping with `between` or `outside`');
  checkKeys(scope, path, spec, KEYS, KEY_ALIASES);
  const between = field(spec, 'between');
  const outside = field(spec, 'outside');
  if ((between === undefined) === (outside === undefined)) {
    throw scope.error(
      path,
      `${path} must have exactly one of \`between\` or \`outside\` (a ["HH:MM", "HH:MM"] window)`,
    );
  }
  const key = between !== undefined ? 'between' : 'outside';
  const windowPath = `${path}.${key}`;
  const window = between ?? outside;
  if (!Array.isArray(window) || window.length !== 2) {
    throw scope.error(
      windowPath,
      `${windowPath} must be a list of two 'HH:MM' times, start and end (e.g. ["08:00", "20:00"])`,
    );
  }
  const start = readTime(scope, `${windowPath}[0]`, window[0], false);
  const end = readTime(scope, `${windowPath}[1]`, window[1], true);
  if (start === end) {
    throw scope.error(
      windowPath,
      `${windowPath} starts and ends at the same time, which is an empty (or ambiguous) window; use ["00:00", "24:00"] for a whole day`,
    );
  }

  const zoneValue = Object.hasOwn(spec, 'timezone') ? spec.timezone : 'UTC';
  if (typeof zoneValue !== 'string' || zoneValue.length === 0 || zoneValue.length > 64) {
    throw scope.error(
      `${path}.timezone`,
      `${path}.timezone must be an IANA time zone name such as Europe/Paris, got ${quote(zoneValue)}`,
    );
  }
  const clock = clockFor(zoneValue);
  if (clock === undefined) {
    throw scope.error(
      `${path}.timezone`,
      `${path}.timezone ${quote(zoneValue)} is not a known IANA time zone (e.g. UTC, Europe/Paris, America/New_York)`,
    );
  }
  const daysValue = field(spec, 'days');
  const days = daysValue === undefined ? ALL_DAYS : readDays(scope, `${path}.days`, daysValue);

  const crossesMidnight = start > end;
  const inside = (now: number): boolean => {
    const minuteOfWeek = clock.read(now);
    const day = Math.floor(minuteOfWeek / MINUTES_PER_DAY);
    const minute = minuteOfWeek - day * MINUTES_PER_DAY;
    if (!crossesMidnight) return minute >= start && minute < end && (days & (1 << day)) !== 0;
    // After midnight, the window running belongs to the day before.
    if (minute >= start) return (days & (1 << day)) !== 0;
    return minute < end && (days & (1 << ((day + 6) % 7))) !== 0;
  };
  return key === 'between' ? inside : (now) => !inside(now);
}
