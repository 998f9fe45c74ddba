// Histories as JSON files (test/histories/). protobufjs's own JSON form of the History message: enums
// by name, int64 as strings, bytes as base64 (the SDK's historyToJSON fails in this install: its
// protobufjs copy differs from @temporalio/proto's). Read back with History.fromObject.
import proto from '@temporalio/proto';

const { History } = proto.temporal.api.history.v1;
export type History = proto.temporal.api.history.v1.History;

export function historyToJsonText(history: proto.temporal.api.history.v1.IHistory): string {
  return `${JSON.stringify(History.fromObject(history).toJSON(), null, 1)}\n`;
}

export function historyFromJsonText(text: string): History {
  return History.fromObject(JSON.parse(text));
}
