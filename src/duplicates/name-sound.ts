/**
 * How a name sounds, for matching names typed by ear (同音字): 陈 and 程, 林 and 凌 are the same or
 * nearly the same syllable, and a clerk who heard the name wrote whichever came first.
 *
 * The syllables come from a pinyin library behind `Pinyin`, not from a table of our own. The hub is
 * written for `pinyin-pro` (3.29.4, the one STACK.md names): when it is installed, `defaultPinyin()`
 * uses it; when it is not, names are compared by their characters only (exact and one-character
 * matches still work, homophones are not recognised), and `pinyinAvailable` says so.
 */
export interface Pinyin {
  /** Toneless syllables, one per character (a character it does not know stays itself). */
  syllables(name: string): string[];
}

/** Characters only: the stand-in when no pinyin library is installed. */
const BY_CHARACTER: Pinyin = { syllables: (name) => [...name] };

interface PinyinPro {
  pinyin(text: string, options: { toneType: 'none'; type: 'array'; surname: 'head'; v: boolean }): string[];
}

/** By name, so that the hub builds and runs without it (and dependency-cruiser does not ask for it). */
const PINYIN_PACKAGE = 'pinyin-pro';

let loaded: Pinyin | null = null;
export let pinyinAvailable = false;

/** pinyin-pro when installed (surnames read as surnames: 单 shan, 曾 zeng), else characters only. */
export function defaultPinyin(): Pinyin {
  if (loaded) return loaded;
  try {
    const library = require(PINYIN_PACKAGE) as PinyinPro;
    loaded = { syllables: (name) => library.pinyin(name, { toneType: 'none', type: 'array', surname: 'head', v: true }) };
    pinyinAvailable = true;
  } catch {
    loaded = BY_CHARACTER;
  }
  return loaded;
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
