// How the workflows retry their activities. Activities return receivers' failures as data and throw
// only infrastructure errors (MongoDB briefly unreachable): retried quickly at first, then at most a
// minute apart, never counted as attempts against a receiver.
export const ACTIVITY_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
