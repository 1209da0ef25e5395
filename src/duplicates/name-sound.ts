import { pinyin } from 'pinyin-pro';

/**
 * How a name sounds, for matching names typed by ear (同音字): 陈 and 程, 林 and 凌 are the same or
 * nearly the same syllable, and a clerk who heard the name wrote whichever came first.
 *
 * The syllables come from a pinyin library (pinyin-pro, as STACK.md names it) behind `Pinyin`, not
 * from a table of our own; tests and callers may hand in another.
 */
export interface Pinyin {
  /** Toneless syllables, one per character (a character the library does not know stays itself). */
  syllables(name: string): string[];
}

/** pinyin-pro, with the first character read as a surname (单 shan, 曾 zeng, 仇 qiu) and ü as v. */
const PINYIN_PRO: Pinyin = { syllables: (name) => pinyin(name, { toneType: 'none', type: 'array', surname: 'head', v: true }) };

export function defaultPinyin(): Pinyin {
  return PINYIN_PRO;
}

/**
 * Initials and finals that southern speakers (闽语, and 普通话 as spoken in Fujian) and input
 * methods' 模糊音 settings treat as one: zh/z, ch/c, sh/s, n/l, h/f; -ang/-an, -eng/-en, -ing/-in.
 */
const FUZZY_INITIALS: ReadonlyArray<readonly [string, string]> = [['zh', 'z'], ['ch', 'c'], ['sh', 's'], ['n', 'l'], ['f', 'h']];
const FUZZY_FINALS: ReadonlyArray<readonly [string, string]> = [['ang', 'an'], ['eng', 'en'], ['ing', 'in']];

export function fuzzySyllable(syllable: string): string {
  let s = syllable;
  for (const [from, to] of FUZZY_INITIALS) if (s.startsWith(from)) { s = to + s.slice(from.length); break; }
  for (const [from, to] of FUZZY_FINALS) if (s.endsWith(from)) { s = s.slice(0, -from.length) + to; break; }
  return s;
}

export interface NameSound {
  /** Toneless pinyin, syllables joined by spaces: equal for homophones (同音). */
  readonly exact: string;
  /** The same with fuzzy initials and finals merged: equal for near-homophones (近音). */
  readonly fuzzy: string;
}

/** Spaces and the middle dot of minority names are not sounds. */
const NOT_SOUNDS = /[\s·・-]/gu;

export function nameSound(name: string, pinyin: Pinyin = defaultPinyin()): NameSound {
  const syllables = pinyin.syllables(name.replace(NOT_SOUNDS, '')).map((s) => s.toLowerCase());
  return { exact: syllables.join(' '), fuzzy: syllables.map(fuzzySyllable).join(' ') };
}
