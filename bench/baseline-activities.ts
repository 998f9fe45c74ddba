// The baseline's activity: returns at once, so the measured cost is Temporal's alone.
export const baselineActivities = {
  async noop(): Promise<void> {},
};
