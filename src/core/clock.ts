/** "Today" in China Standard Time, or a fixed date for tests and replays; and the school year's dates. */
export class Clock {
  constructor(
    private readonly fixedToday: string | null = null,
    /** MM-DD, in the school year's second calendar year, by which dropout cases are due (四(二): 7月底前). */
    private readonly caseDeadlineDay = '07-31',
  ) {}

  today(): string {
    if (this.fixedToday) return this.fixedToday;
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  }

  /** The school year running today starts on 1 September: 2026-09-01 for any day from then to 2027-08-31. */
  schoolYearStart(): string {
    const today = this.today();
    const year = Number(today.slice(0, 4));
    return today.slice(5) >= '09-01' ? `${year}-09-01` : `${year - 1}-09-01`;
  }

  /** The day a dropout case opened today is due by default: 31 July (configurable) at the end of this school year. */
  caseDeadline(): string {
    return `${Number(this.schoolYearStart().slice(0, 4)) + 1}-${this.caseDeadlineDay}`;
  }
}
