/** "Today" in China Standard Time, or a fixed date for tests and replays. */
export class Clock {
  constructor(private readonly fixedToday: string | null = null) {}

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
}
