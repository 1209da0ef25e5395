import { ageOn, MAX_AGE, MIN_AGE } from '../src/children/child.validation';
import { makeIdNumber } from '../src/children/id-number';
import type { Clock } from '../src/core/clock';
import type { Sql } from '../src/db/sql';
import type { DisabilityType } from '../src/departments/disability/disability.enums';
import type { SchoolStatus, Stage } from '../src/departments/education/education.enums';
import type { HukouStatus, Whereabouts } from '../src/departments/public-security/public-security.enums';
import type { DropoutReason, DropoutStatus } from '../src/ledger/dropout-case.enums';
import { regions } from '../src/regions/region.registry';
import { resetKeptStatistics } from '../src/stats/stats.cube';

/**
 * Synthetic school-age children of Fujian with the six departments' sections and the dropout
 * ledger, deterministic for a seed. Generation (`ChildGenerator`, pure) is kept apart from
 * inserting (`seedChildren`), so that the rows can be checked without a database.
 */
export interface SeedOptions {
  children: number;
  seed: number;
  /** Hukou counties to draw from (county codes); all 84 of Fujian when absent. */
  counties?: readonly string[];
  /** Relative weights of the counties; by default their resident population. */
  weights?: Readonly<Record<string, number>>;
  onProgress?: (done: number, total: number) => void;
}

export interface SeedChild {
  readonly id: string;
  /** Null for a child without household registration (无户口): no ID number was ever issued. */
  readonly idNumber: string | null;
  readonly name: string;
  readonly gender: 'MALE' | 'FEMALE';
  readonly birthDate: string;
  readonly hukouRegion: string;
  readonly residenceRegion: string;
  /** 乡镇（街道）of residence: county code + 3 digits. */
  readonly township: string;
  readonly education: { status: SchoolStatus; stage: Stage | null; grade: number | null; schoolName: string | null } | null;
  readonly publicSecurity: { hukouStatus: HukouStatus; whereabouts: Whereabouts; verifiedOn: string | null } | null;
  readonly civilAffairs: {
    leftBehind: boolean; deFactoUnsupported: boolean; migrant: boolean;
    parentImprisoned: boolean; orphan: boolean; subsistenceAllowance: boolean;
  } | null;
  readonly poverty: { registeredPoor: boolean; monitoredHousehold: boolean; householdId: string } | null;
  readonly health: { seriousIllness: boolean; diagnosisSummary: string; screenedOn: string } | null;
  readonly disability: { disabilityType: DisabilityType; disabilityLevel: number; certificateNo: string | null } | null;
  readonly dropoutCase: {
    id: string; reason: DropoutReason; status: DropoutStatus; openedOn: string; closedOn: string | null; notes: string | null;
  } | null;
}

// ---------------------------------------------------------------------------------------------
// Randomness: one sfc32 stream per child, keyed by (seed, index), so that child n is the same
// whatever was generated before it and however the run is batched.

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

class Random {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number, index: number) {
    this.a = fmix32(seed ^ 0x9e3779b9);
    this.b = fmix32((index + 0x7f4a7c15) | 0);
    this.c = fmix32(this.a ^ Math.imul(this.b, 0x27d4eb2f));
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  float(): number {
    return this.next() / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

class Weighted<T> {
  private readonly items: T[] = [];
  private readonly cumulative: number[] = [];

  constructor(entries: Iterable<readonly [T, number]>) {
    let total = 0;
    for (const [item, weight] of entries) {
      if (!(weight > 0)) continue;
      total += weight;
      this.items.push(item);
      this.cumulative.push(total);
    }
    if (this.items.length === 0) throw new Error('nothing to choose from: every weight is zero');
  }

  pick(random: Random): T {
    const x = random.float() * this.cumulative[this.cumulative.length - 1];
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.cumulative[mid] > x) high = mid;
      else low = mid + 1;
    }
    return this.items[low];
  }
}

/**
 * A version-4-shaped UUID whose first 64 bits are a bijection (Feistel network) of (seed, index,
 * kind): ids of different children, runs or kinds can never collide; the rest is random.
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** The low `digits` hexadecimal digits of n. */
function hex(n: number, digits: number): string {
  let text = '';
  for (let shift = 0; shift < digits * 4; shift += 8) text = HEX[(n >>> shift) & 0xff] + text;
  return digits % 2 === 0 ? text : text.slice(1);
}

function uuidFor(seed: number, index: number, kind: number, random: Random): string {
  let left = seed >>> 0;
  let right = index >>> 0;
  for (let round = 0; round < 4; round++) {
    const next = (left ^ fmix32(right ^ Math.imul(round + 1 + kind * 8, 0x9e3779b9))) >>> 0;
    left = right;
    right = next;
  }
  const r1 = random.next();
  const r2 = random.next();
  return `${hex(left, 8)}-${hex(right >>> 16, 4)}-4${hex(r1, 3)}-${hex(8 | (r1 >>> 30), 1)}${hex(r1 >>> 12, 3)}-${hex(right, 4)}${hex(r2, 8)}`;
}

// ---------------------------------------------------------------------------------------------
// Reference data.

/** Resident population in 10,000s (2020 census, rounded), the default weight of each county. */
const POPULATION: Readonly<Record<string, number>> = {
  350102: 69, 350103: 45, 350104: 83, 350105: 23, 350111: 96, 350112: 77, 350121: 96, 350122: 55,
  350123: 23, 350124: 22, 350125: 25, 350128: 37, 350181: 139,
  350203: 107, 350205: 58, 350206: 104, 350211: 104, 350212: 86, 350213: 58,
  350302: 52, 350303: 46, 350304: 56, 350305: 60, 350322: 87,
  350404: 36, 350405: 23, 350421: 10, 350423: 12, 350424: 28, 350425: 27, 350426: 35, 350428: 15,
  350429: 11, 350430: 11, 350481: 34,
  350502: 40, 350503: 72, 350504: 24, 350505: 36, 350521: 100, 350524: 98, 350525: 46, 350526: 30,
  // Kinmen is outside the mainland's administration: a token weight keeps the code in use.
  350527: 0.1,
  350581: 68, 350582: 206, 350583: 152,
  350602: 56, 350603: 30, 350604: 87, 350605: 23, 350622: 42, 350623: 81, 350624: 58, 350626: 21,
  350627: 32, 350628: 50, 350629: 15,
  350702: 45, 350703: 33, 350721: 18, 350722: 30, 350723: 14, 350724: 13, 350725: 17, 350781: 28,
  350782: 24, 350783: 46,
  350802: 103, 350803: 38, 350821: 40, 350823: 38, 350824: 29, 350825: 26, 350881: 23,
  350902: 61, 350921: 47, 350922: 32, 350923: 14, 350924: 18, 350925: 11, 350926: 9, 350981: 61,
  350982: 56,
};

/** Family names as common in Fujian, weights per mille (陈 and 林 far ahead of the national order). */
const FAMILY_NAMES = new Weighted(
  ('陈115 林100 黄60 张40 吴38 李35 王32 郑30 刘25 杨22 许20 蔡18 洪16 郭16 曾15 谢14 邱12 叶12 何10 苏10 ' +
    '罗10 周10 庄10 徐9 江9 游8 詹7 潘7 方7 卢7 朱7 彭6 高6 余6 赖6 魏5 肖5 范4 连4 施4 翁4 傅4 薛3 丁3 ' +
    '柯3 姚3 沈3 钟3 温3 卓3 欧阳1')
    .split(' ')
    .map((entry) => [entry.replace(/\d+/, ''), Number(entry.replace(/\D+/, ''))] as const),
);
const GIVEN = {
  MALE: Array.from('浩宇轩博文俊杰睿泽晨铭哲宸昊天锦鑫鹏辰逸煜航彬明伟凯志豪恒瑞霖阳诚辉家承梓楷毅宏锋振斌星安子一嘉'),
  FEMALE: Array.from('欣怡诗雨涵萱琪思佳妍悦晴婷雅慧静可馨婉若芸佩依彤瑶玥琳紫颖心如月蕾娜菲嘉晓语桐舒冰丽淑媛雪瑜子一'),
};

/** 子 and 一 begin given names but do not stand alone. */
const SINGLE_GIVEN = { MALE: GIVEN.MALE.filter((c) => !'子一'.includes(c)), FEMALE: GIVEN.FEMALE.filter((c) => !'子一'.includes(c)) };

const CHINESE_DIGITS = '零一二三四五六七八九';
function chineseNumber(n: number): string {
  if (n < 10) return CHINESE_DIGITS[n];
  return `${n >= 20 ? CHINESE_DIGITS[Math.floor(n / 10)] : ''}十${n % 10 ? CHINESE_DIGITS[n % 10] : ''}`;
}

const OUT_OF_PROVINCE = ['广东省深圳市宝安区', '浙江省温州市鹿城区', '上海市闵行区', '江西省上饶市信州区', '广东省广州市白云区', '浙江省宁波市鄞州区'];

const DIAGNOSES = [
  '重型β地中海贫血，定期输血', '急性淋巴细胞白血病，化疗中', '先天性心脏病术后康复期', '肾病综合征，激素治疗中',
  '癫痫，药物控制中', '1型糖尿病，胰岛素治疗', '血友病A', '系统性红斑狼疮', '恶性肿瘤术后随访', '重度哮喘，反复住院',
];

/** Disability types in certificate-digit order (1 VISUAL … 7 MULTIPLE) with their shares among disabled children. */
const DISABILITY_TYPES: ReadonlyArray<readonly [DisabilityType, number]> = [
  ['VISUAL', 8], ['HEARING', 12], ['SPEECH', 8], ['PHYSICAL', 20], ['INTELLECTUAL', 30], ['MENTAL', 10], ['MULTIPLE', 12],
];
const DISABILITY_TYPE = new Weighted(DISABILITY_TYPES);
const DISABILITY_DIGIT = new Map(DISABILITY_TYPES.map(([type], i) => [type, i + 1]));
const DISABILITY_LEVEL = new Weighted([[1, 15], [2, 25], [3, 30], [4, 30]] as const);

const ORDINARY_DROPOUT_REASON = new Weighted<DropoutReason>([
  ['STUDY_WEARINESS', 45], ['FAMILY_POVERTY', 8], ['WORKING_AWAY', 12], ['EARLY_MARRIAGE', 1], ['OTHER', 10], ['TO_BE_VERIFIED', 24],
]);

const CASE_NOTES: Readonly<Partial<Record<DropoutStatus, readonly string[]>>> = {
  OPEN: ['学校报告连续缺课超过15天', '待乡镇（街道）入户核查'],
  PERSUADING: ['已家访两次，家长态度松动', '村（居）委会与学校联合劝返中', '已签订劝返承诺书，约定下周返校'],
  RETURNED: ['已返校复学，安排专人跟踪', '经劝返返校就读'],
  PLACED: ['经专家组评估，安排适宜方式就学'],
  CLOSED_NOT_DROPOUT: ['经核实不属于辍学，予以销号'],
};

// ---------------------------------------------------------------------------------------------
// Generation.

interface County {
  readonly index: number;
  readonly code: string;
  readonly name: string;
  readonly cityCode: string;
  readonly kind: 'district' | 'county' | 'city';
  /** How many numbered primary and junior-secondary schools to name. */
  readonly schools: number;
}

/** Weight of each age on the first day of the school year: few 15–16-year-olds are still in grades 1–9. */
const AGE_WEIGHT = (age: number) => (age <= 14 ? 1 : age === 15 ? 0.6 : 0.25);

/** Sequence numbers: per gender 480 slots, in 24 blocks of 20; a run starts in block `seed % 24`. */
const SLOTS = 480;
const BLOCK = 20;

const DAY_MS = 86_400_000;
const toDay = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const DATES = new Map<number, string>();
function fromDay(day: number): string {
  let date = DATES.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    DATES.set(day, date);
  }
  return date;
}

export class ChildGenerator {
  private index = 0;
  private readonly seed: number;
  private readonly counties = new Map<string, County>();
  private readonly hukouCounty: Weighted<County>;
  /** Sequence numbers used, per hukou county, birth day and gender. */
  private readonly usedSequences: Uint16Array;
  private readonly firstBirthDay: number;
  private readonly cohorts: Weighted<readonly [age: number, first: number, last: number]>;
  private readonly schoolYearStart: number;
  private readonly today: number;

  constructor(clock: Clock, options: Pick<SeedOptions, 'seed' | 'counties' | 'weights'>) {
    if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
      throw new Error(`seed must be an integer from 0 to 4294967295, got ${options.seed}`);
    }
    this.seed = options.seed;
    const codes = new Set(options.counties ?? regions.counties().map((r) => r.code));
    if (codes.size === 0) throw new Error('no counties to seed');
    for (const code of codes) {
      const region = regions.get(code);
      if (!region || region.level !== 'county') throw new Error(`${code} is not a Fujian county-level code`);
      const weight = options.weights?.[code] ?? POPULATION[code] ?? 10;
      const kind = region.name.endsWith('区') ? 'district' : region.name.endsWith('县') ? 'county' : 'city';
      this.counties.set(code, { index: this.counties.size, code, name: region.name, cityCode: region.parentCode!, kind, schools: Math.max(3, Math.min(30, Math.round(weight / 4))) });
    }
    this.hukouCounty = new Weighted([...this.counties.values()].map((c) => [c, options.weights?.[c.code] ?? POPULATION[c.code] ?? 10] as const));
    const start = clock.schoolYearStart();
    this.schoolYearStart = toDay(start);
    this.today = toDay(clock.today());
    const year = Number(start.slice(0, 4));
    const cohorts: Array<readonly [readonly [number, number, number], number]> = [];
    for (let age = MIN_AGE; age <= MAX_AGE; age++) {
      // Born from the day after the (age+1)th birthday cut-off to the age-th: `age` on the school year's start.
      const last = toDay(`${year - age}${start.slice(4)}`);
      const first = toDay(`${year - age - 1}${start.slice(4)}`) + 1;
      cohorts.push([[age, first, last], AGE_WEIGHT(age)]);
    }
    this.cohorts = new Weighted(cohorts);
    this.firstBirthDay = toDay(`${year - MAX_AGE - 1}${start.slice(4)}`);
    this.usedSequences = new Uint16Array(this.counties.size * 2 * 4096);
  }

  take(count: number): SeedChild[] {
    const children: SeedChild[] = [];
    for (let i = 0; i < count; i++) children.push(this.next());
    return children;
  }

  next(): SeedChild {
    const index = this.index++;
    const random = new Random(this.seed, index);
    const id = uuidFor(this.seed, index, 0, random);
    const hukou = this.hukouCounty.pick(random);
    const residence = random.chance(0.08) ? this.elsewhere(hukou, random) : hukou;
    const gender = random.chance(0.52) ? 'MALE' : 'FEMALE';
    const name = this.name(gender, random);

    const noHukou = random.chance(0.003);
    let birthDay = this.birthDay(random);
    let idNumber: string | null = null;
    if (!noHukou) {
      for (let attempt = 0; idNumber === null; attempt++) {
        idNumber = this.idNumber(hukou, birthDay, gender);
        if (idNumber === null) {
          if (attempt > 50) throw new Error(`too many children for county ${hukou.code}: its ID sequence numbers are used up`);
          birthDay = this.birthDay(random);
        }
      }
    }
    const birthDate = fromDay(birthDay);
    const age = ageOn(birthDate, fromDay(this.schoolYearStart));
    const rural = hukou.kind !== 'district';

    const publicSecurity = this.publicSecurity(noHukou, random);
    const disability = random.chance(0.01) ? this.disability(idNumber, random) : null;
    const health = random.chance(0.01) ? { seriousIllness: random.chance(0.92), diagnosisSummary: random.pick(DIAGNOSES), screenedOn: this.dateBetween(this.today - 365, this.today, random) } : null;
    const poverty = random.chance(hukou.kind === 'county' ? 0.06 : hukou.kind === 'city' ? 0.03 : 0.008) ? this.poverty(hukou.code, random) : null;
    const civilAffairs = this.civilAffairs(rural, residence !== hukou, poverty !== null, random);

    const education = random.chance(0.98)
      ? this.education(age, residence, { publicSecurity, disability, health, disadvantaged: poverty !== null || (civilAffairs?.leftBehind ?? false) }, random)
      : null;
    const dropoutCase = education ? this.dropoutCase(index, education.status, { publicSecurity, disability, health, poverty: poverty !== null, age }, random) : null;

    return {
      id, idNumber, name, gender, birthDate, hukouRegion: hukou.code, residenceRegion: residence.code, township: townshipFor(residence, id),
      education, publicSecurity, civilAffairs, poverty, health, disability, dropoutCase,
    };
  }

  /** About one in twelve children lives outside its hukou county, mostly in a city's districts. */
  private elsewhere(hukou: County, random: Random): County {
    const others = [...this.counties.values()].filter((c) => c.code !== hukou.code);
    if (others.length === 0) return hukou;
    const sameCity = others.filter((c) => c.cityCode === hukou.cityCode && c.kind === 'district');
    const pool = sameCity.length > 0 && random.chance(0.6) ? sameCity : others.filter((c) => c.kind === 'district');
    return random.pick(pool.length > 0 ? pool : others);
  }

  private name(gender: 'MALE' | 'FEMALE', random: Random): string {
    const chars = GIVEN[gender];
    if (random.chance(0.15)) return FAMILY_NAMES.pick(random) + random.pick(SINGLE_GIVEN[gender]);
    const first = random.pick(chars);
    let second = random.pick(chars);
    // Doubled characters (婷婷, 欣欣) are common in girls' names, rare in boys'.
    while (second === first && gender === 'MALE') second = random.pick(chars);
    return FAMILY_NAMES.pick(random) + first + second;
  }

  private birthDay(random: Random): number {
    const [, first, last] = this.cohorts.pick(random);
    return first + random.int(last - first + 1);
  }

  /**
   * The next unused sequence number for this county, birth date and gender, or null when all
   * are used. A run starts in its own block of sequence numbers, so that runs whose seeds
   * differ modulo 24 never issue the same number while no key needs more than 20 of them.
   */
  private idNumber(county: County, birthDay: number, gender: 'MALE' | 'FEMALE'): string | null {
    const key = ((county.index * 4096 + birthDay - this.firstBirthDay) << 1) | (gender === 'MALE' ? 1 : 0);
    const used = this.usedSequences[key];
    if (used >= SLOTS) return null;
    this.usedSequences[key] = used + 1;
    // Within the run's block the order is shuffled per key, so that numbers do not all end alike.
    const start = (this.seed % (SLOTS / BLOCK)) * BLOCK;
    const slot = used < BLOCK ? start + ((used + fmix32(key)) % BLOCK) : (start + used) % SLOTS;
    // Odd sequence numbers for men, even for women (GB 11643); 000 is never issued.
    return makeIdNumber(county.code, fromDay(birthDay), gender === 'MALE' ? 2 * slot + 1 : 2 * slot + 2);
  }

  private dateBetween(first: number, last: number, random: Random): string {
    return fromDay(first + random.int(Math.max(0, last - first) + 1));
  }

  private publicSecurity(noHukou: boolean, random: Random): SeedChild['publicSecurity'] {
    if (!noHukou && !random.chance(0.95)) return null;
    const hukouStatus: HukouStatus = noHukou ? 'NO_HUKOU' : random.chance(0.002) ? 'RECORD_ERROR' : 'REGISTERED';
    const r = random.float();
    const whereabouts: Whereabouts = r < 0.001 ? 'MISSING' : r < 0.0035 ? 'ABROAD' : r < 0.0037 ? 'DECEASED' : 'PRESENT';
    const unusual = hukouStatus !== 'REGISTERED' || whereabouts !== 'PRESENT';
    const verifiedOn = unusual && random.chance(0.8) ? this.dateBetween(this.schoolYearStart - 120, this.today, random) : null;
    return { hukouStatus, whereabouts, verifiedOn };
  }

  private disability(idNumber: string | null, random: Random): SeedChild['disability'] {
    const disabilityType = DISABILITY_TYPE.pick(random);
    const disabilityLevel = DISABILITY_LEVEL.pick(random);
    // 第二代残疾人证: the ID number followed by the type digit and the level digit.
    const certificateNo = idNumber ? `${idNumber}${DISABILITY_DIGIT.get(disabilityType)}${disabilityLevel}` : null;
    return { disabilityType, disabilityLevel, certificateNo };
  }

  private poverty(county: string, random: Random): SeedChild['poverty'] {
    const registeredPoor = random.chance(0.7);
    const monitoredHousehold = !registeredPoor || random.chance(0.1);
    const householdId = `${county}${String(random.int(1000)).padStart(3, '0')}${String(random.int(1000)).padStart(3, '0')}${String(random.int(10000)).padStart(4, '0')}`;
    return { registeredPoor, monitoredHousehold, householdId };
  }

  private civilAffairs(rural: boolean, movedAway: boolean, poor: boolean, random: Random): SeedChild['civilAffairs'] {
    const orphan = random.chance(0.0005);
    const flags = {
      leftBehind: !orphan && random.chance(rural ? 0.035 : 0.008),
      deFactoUnsupported: !orphan && random.chance(0.002),
      migrant: random.chance(movedAway ? 0.3 : 0.002),
      parentImprisoned: !orphan && random.chance(0.001),
      orphan,
      subsistenceAllowance: random.chance(poor ? 0.25 : 0.008),
    };
    return Object.values(flags).some(Boolean) ? flags : null;
  }

  private education(
    age: number,
    residence: County,
    context: { publicSecurity: SeedChild['publicSecurity']; disability: SeedChild['disability']; health: SeedChild['health']; disadvantaged: boolean },
    random: Random,
  ): NonNullable<SeedChild['education']> {
    const status = this.schoolStatus(age, context, random);
    // Grade 1 at six; a few start late or repeat a year, fewer start early. The 15- and
    // 16-year-olds still in compulsory education are mostly in grade 9.
    const r = random.float();
    const grade = age >= 15 ? (r < 0.8 ? 9 : 8) : Math.max(1, Math.min(9, age - 5 + (r < 0.06 ? -1 : r < 0.08 ? 1 : 0)));
    const stage: Stage = grade <= 6 ? 'PRIMARY' : 'JUNIOR_SECONDARY';
    return { status, stage, grade, schoolName: this.schoolName(status, stage, residence, random) };
  }

  private schoolStatus(
    age: number,
    context: { publicSecurity: SeedChild['publicSecurity']; disability: SeedChild['disability']; health: SeedChild['health']; disadvantaged: boolean },
    random: Random,
  ): SchoolStatus {
    const whereabouts = context.publicSecurity?.whereabouts;
    if (whereabouts === 'MISSING' || whereabouts === 'DECEASED') return random.chance(0.8) ? 'DROPPED_OUT' : 'ENROLLED';
    if (whereabouts === 'ABROAD') return random.chance(0.5) ? 'DROPPED_OUT' : 'STUDYING_ELSEWHERE';
    if (context.disability) {
      const severe = context.disability.disabilityLevel <= 2;
      return new Weighted<SchoolStatus>([
        ['MAINSTREAM_INCLUSION', 35], ['SPECIAL_SCHOOL', severe ? 30 : 15], ['HOME_TEACHING', severe ? 25 : 5], ['ENROLLED', severe ? 5 : 40], ['DROPPED_OUT', 5],
      ]).pick(random);
    }
    if (context.health?.seriousIllness) {
      return new Weighted<SchoolStatus>([['ENROLLED', 60], ['SUSPENDED', 25], ['HOME_TEACHING', 10], ['DROPPED_OUT', 5]]).pick(random);
    }
    const dropout = (age <= 11 ? 0.0035 : age <= 13 ? 0.012 : 0.022) * (context.disadvantaged ? 1.8 : 0.95);
    const r = random.float();
    if (r < dropout) return 'DROPPED_OUT';
    if (r < dropout + 0.001) return 'SUSPENDED';
    if (r < dropout + 0.002) return age <= 7 ? 'DEFERRED' : 'SUSPENDED';
    if (r < dropout + 0.01) return 'STUDYING_ELSEWHERE';
    return 'ENROLLED';
  }

  private schoolName(status: SchoolStatus, stage: Stage, county: County, random: Random): string | null {
    if (status === 'STUDYING_ELSEWHERE') return random.chance(0.3) ? null : `${random.pick(OUT_OF_PROVINCE)}第${chineseNumber(1 + random.int(20))}${stage === 'PRIMARY' ? '小学' : '中学'}`;
    if (status === 'SPECIAL_SCHOOL' || (status === 'HOME_TEACHING' && random.chance(0.7))) {
      return random.chance(0.5) ? `${regions.get(county.cityCode)?.name ?? ''}特殊教育学校` : `${county.name}特殊教育学校`;
    }
    const n = chineseNumber(1 + random.int(county.schools));
    const r = random.float();
    if (stage === 'PRIMARY') return r < 0.1 ? `${county.name}实验小学` : r < 0.4 ? `${county.name}第${chineseNumber(1 + random.int(8))}中心小学` : `${county.name}第${n}小学`;
    return r < 0.1 ? `${county.name}实验中学` : r < 0.8 ? `${county.name}第${n}中学` : `${county.name}第${n}初级中学`;
  }

  /**
   * Every child who dropped out is on the dropout ledger, mostly still open. Closed cases belong
   * to children whose school status already shows the outcome (returned, placed, suspended…).
   */
  private dropoutCase(
    index: number,
    status: SchoolStatus,
    context: { publicSecurity: SeedChild['publicSecurity']; disability: SeedChild['disability']; health: SeedChild['health']; poverty: boolean; age: number },
    random: Random,
  ): SeedChild['dropoutCase'] {
    let caseStatus: DropoutStatus;
    let reason: DropoutReason;
    const whereabouts = context.publicSecurity?.whereabouts;
    if (status === 'DROPPED_OUT') {
      caseStatus = random.chance(0.4) ? 'OPEN' : 'PERSUADING';
      if (whereabouts === 'MISSING') reason = 'MISSING';
      else if (whereabouts === 'ABROAD') reason = 'ABROAD';
      else if (whereabouts === 'DECEASED') [reason, caseStatus] = ['DECEASED', 'CLOSED_NOT_DROPOUT'];
      else if (context.publicSecurity?.hukouStatus === 'RECORD_ERROR') reason = 'HUKOU_ERROR';
      else if (context.disability) reason = 'DISABILITY';
      else if (context.health?.seriousIllness) reason = 'ILLNESS';
      else if (context.poverty && random.chance(0.5)) reason = 'FAMILY_POVERTY';
      else {
        reason = ORDINARY_DROPOUT_REASON.pick(random);
        if ((reason === 'WORKING_AWAY' || reason === 'EARLY_MARRIAGE') && context.age < 14) reason = 'STUDY_WEARINESS';
      }
    } else if (status === 'ENROLLED' && random.chance(0.003)) {
      [caseStatus, reason] = ['RETURNED', random.chance(0.6) ? 'STUDY_WEARINESS' : 'FAMILY_POVERTY'];
    } else if ((status === 'SUSPENDED' || status === 'DEFERRED') && random.chance(0.3)) {
      [caseStatus, reason] = [status, 'ILLNESS'];
    } else if ((status === 'HOME_TEACHING' || status === 'SPECIAL_SCHOOL' || status === 'MAINSTREAM_INCLUSION') && random.chance(0.2)) {
      [caseStatus, reason] = ['PLACED', context.disability ? 'DISABILITY' : 'ILLNESS'];
    } else if (status === 'STUDYING_ELSEWHERE' && random.chance(0.05)) {
      [caseStatus, reason] = ['CLOSED_NOT_DROPOUT', random.chance(0.7) ? 'TO_BE_VERIFIED' : 'ABROAD'];
    } else {
      return null;
    }
    const closed = caseStatus !== 'OPEN' && caseStatus !== 'PERSUADING';
    const openedOn = this.dateBetween(this.schoolYearStart - 240, this.today - (closed ? 1 : 0), random);
    const closedOn = closed ? this.dateBetween(toDay(openedOn) + 1, this.today, random) : null;
    const notes = CASE_NOTES[caseStatus] && random.chance(0.7) ? random.pick(CASE_NOTES[caseStatus]!) : null;
    return { id: uuidFor(this.seed, index, 1, random), reason, status: caseStatus, openedOn, closedOn, notes };
  }
}

/** The first `count` children of a run, without touching a database. */
export function generateChildren(clock: Clock, options: Pick<SeedOptions, 'seed' | 'counties' | 'weights'>, count: number): SeedChild[] {
  return new ChildGenerator(clock, options).take(count);
}

// ---------------------------------------------------------------------------------------------
// Inserting.

type Column<R> = readonly [column: string, pgType: string, value: (row: R) => unknown];
/**
 * The township (乡镇、街道) a child lives in: districts have fewer, larger streets, counties more
 * townships. Taken from the child's id, not the random stream, so adding it changed no other value.
 */
function townshipFor(county: { code: string; kind: 'district' | 'county' | 'city' }, id: string): string {
  const count = county.kind === 'district' ? 8 : county.kind === 'city' ? 12 : 15;
  return `${county.code}${String(1 + (parseInt(id.slice(0, 8), 16) % count)).padStart(3, '0')}`;
}

interface Table<R> {
  readonly name: string;
  readonly rows: (child: SeedChild) => R | null;
  readonly columns: ReadonlyArray<Column<R>>;
}
const table = <R>(name: string, rows: (child: SeedChild) => R | null, columns: ReadonlyArray<Column<R>>): Table<unknown> => ({ name, rows, columns }) as Table<unknown>;
const section = <R>(name: string, pick: (child: SeedChild) => R | null, columns: ReadonlyArray<Column<R>>) =>
  table<readonly [SeedChild, R]>(name, (c) => { const r = pick(c); return r === null ? null : [c, r] as const; }, [
    ['child_id', 'uuid', ([c]) => c.id],
    ...columns.map(([column, pgType, value]): Column<readonly [SeedChild, R]> => [column, pgType, ([, r]) => value(r)]),
  ]);

const CHILD = table<SeedChild>('hub.child', (c) => c, [
  ['id', 'uuid', (c) => c.id], ['id_number', 'text', (c) => c.idNumber], ['name', 'text', (c) => c.name], ['gender', 'text', (c) => c.gender],
  ['birth_date', 'date', (c) => c.birthDate], ['hukou_region', 'text', (c) => c.hukouRegion], ['residence_region', 'text', (c) => c.residenceRegion],
  ['township', 'text', (c) => c.township],
]);
const SECTIONS = [
  section('edu.education_record', (c) => c.education, [
    ['status', 'text', (r) => r.status], ['stage', 'text', (r) => r.stage], ['grade', 'smallint', (r) => r.grade], ['school_name', 'text', (r) => r.schoolName],
  ]),
  section('psb.public_security_record', (c) => c.publicSecurity, [
    ['hukou_status', 'text', (r) => r.hukouStatus], ['whereabouts', 'text', (r) => r.whereabouts], ['verified_on', 'date', (r) => r.verifiedOn],
  ]),
  section('civil.civil_affairs_record', (c) => c.civilAffairs, [
    ['left_behind', 'boolean', (r) => r.leftBehind], ['de_facto_unsupported', 'boolean', (r) => r.deFactoUnsupported], ['migrant', 'boolean', (r) => r.migrant],
    ['parent_imprisoned', 'boolean', (r) => r.parentImprisoned], ['orphan', 'boolean', (r) => r.orphan], ['subsistence_allowance', 'boolean', (r) => r.subsistenceAllowance],
  ]),
  section('poverty.poverty_record', (c) => c.poverty, [
    ['registered_poor', 'boolean', (r) => r.registeredPoor], ['monitored_household', 'boolean', (r) => r.monitoredHousehold], ['household_id', 'text', (r) => r.householdId],
  ]),
  section('health.health_record', (c) => c.health, [
    ['serious_illness', 'boolean', (r) => r.seriousIllness], ['diagnosis_summary', 'text', (r) => r.diagnosisSummary], ['screened_on', 'date', (r) => r.screenedOn],
  ]),
  section('dpf.disability_record', (c) => c.disability, [
    ['disability_type', 'text', (r) => r.disabilityType], ['disability_level', 'smallint', (r) => r.disabilityLevel], ['certificate_no', 'text', (r) => r.certificateNo],
  ]),
];
const DROPOUT_CASE = table('edu.dropout_case', (c) => (c.dropoutCase ? ([c, c.dropoutCase] as const) : null), [
  ['id', 'uuid', ([, d]) => d.id], ['child_id', 'uuid', ([c]) => c.id], ['reason', 'text', ([, d]) => d.reason], ['status', 'text', ([, d]) => d.status],
  ['opened_on', 'date', ([, d]) => d.openedOn], ['closed_on', 'date', ([, d]) => d.closedOn], ['notes', 'text', ([, d]) => d.notes],
]);
const TABLES = [CHILD, ...SECTIONS, DROPOUT_CASE];

/**
 * One statement per batch: the children and all their rows in data-modifying CTEs, so that a
 * batch is written whole or not at all (a statement is atomic; `Sql` gives no transaction that
 * spans statements). Children whose id or ID number is already taken (an earlier run with the
 * same seed, or a clashing one) are skipped together with their rows: rerunning a failed or
 * interrupted run with the same seed completes it.
 */
const INSERT_BATCH = (() => {
  let parameter = 0;
  const source = (t: Table<unknown>) => {
    const list = t.columns.map(([, pgType]) => `$${++parameter}::${pgType}[]`).join(', ');
    return `unnest(${list}) AS u(${t.columns.map(([column]) => column).join(', ')})`;
  };
  const names = (t: Table<unknown>) => t.columns.map(([column]) => column).join(', ');
  const withUser = (t: Table<unknown>, extra: string) => `(${names(t)}, ${extra})`;
  const parts = [
    `c AS (INSERT INTO ${CHILD.name} ${withUser(CHILD, 'created_by, updated_by')}
      SELECT u.*, 'seed', 'seed' FROM ${source(CHILD)} ON CONFLICT DO NOTHING RETURNING id)`,
    ...[...SECTIONS, DROPOUT_CASE].map((t, i) => `t${i} AS (INSERT INTO ${t.name} ${withUser(t, 'updated_by')}
      SELECT u.*, 'seed' FROM ${source(t)} WHERE u.child_id IN (SELECT id FROM c)${t.name === 'dpf.disability_record' ? ' ON CONFLICT DO NOTHING' : ''} RETURNING 1)`),
  ];
  const counts = ['c', ...[...SECTIONS, DROPOUT_CASE].map((_, i) => `t${i}`)].map((cte) => `(SELECT count(*) FROM ${cte})`);
  return `WITH ${parts.join(',\n')}
    SELECT ${counts[0]}::int AS children, ${counts[counts.length - 1]}::int AS cases, (${counts.join(' + ')})::int AS rows`;
})();

function batchParameters(children: readonly SeedChild[]): unknown[][] {
  const parameters: unknown[][] = [];
  for (const t of TABLES) {
    const columns: unknown[][] = t.columns.map(() => []);
    for (const child of children) {
      const row = t.rows(child);
      if (row === null) continue;
      t.columns.forEach(([, , value], i) => columns[i].push(value(row)));
    }
    parameters.push(...columns);
  }
  return parameters;
}

const BATCH_SIZE = 5000;
/** Batches in flight: generation of the next batch overlaps the database's work on the last. */
const IN_FLIGHT = 3;

/**
 * Inserts `options.children` synthetic children with their sections and dropout cases. Each batch
 * of 5,000 is one atomic statement; on failure the run stops, batches already written stay, and
 * the error is thrown. Returns how many children and dropout cases were written, and how many
 * rows in all tables.
 */
export async function seedChildren(sql: Sql, clock: Clock, options: SeedOptions): Promise<{ children: number; dropoutCases: number; rows: number }> {
  const total = options.children;
  if (!Number.isInteger(total) || total < 0) throw new Error(`children must be a whole number, got ${total}`);
  const generator = new ChildGenerator(clock, options);
  const written = { children: 0, dropoutCases: 0, rows: 0 };
  let done = 0;
  let failure: { error: unknown } | null = null;
  const inFlight = new Set<Promise<void>>();
  for (let start = 0; start < total && failure === null; start += BATCH_SIZE) {
    const batch = generator.take(Math.min(BATCH_SIZE, total - start));
    const write: Promise<void> = sql
      .query<{ children: number; cases: number; rows: number }>(INSERT_BATCH, batchParameters(batch))
      .then(([counts]) => {
        written.children += counts.children;
        written.dropoutCases += counts.cases;
        written.rows += counts.rows;
        done += batch.length;
        options.onProgress?.(done, total);
      }, (error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(write));
    inFlight.add(write);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    else await new Promise((resolve) => setImmediate(resolve)); // let the driver send the batch
  }
  await Promise.all(inFlight);
  // Written past the change log: the statistics kept by it no longer stand (stats.cube.ts).
  await resetKeptStatistics((text) => sql.query(text));
  if (failure !== null) throw (failure as { error: unknown }).error;
  return written;
}
