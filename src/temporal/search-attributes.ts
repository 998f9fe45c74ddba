// Search attributes operators filter deliveries by in the Temporal UI, e.g.
//   WebhookId = "wh_…" AND DeliveryStatus = "failed"
// Pure (only @temporalio/common): the delivery workflow imports it too.
import { defineSearchAttributeKey } from '@temporalio/common';

export const WebhookId = defineSearchAttributeKey('WebhookId', 'KEYWORD');
export const EventType = defineSearchAttributeKey('EventType', 'KEYWORD');
export const AccountId = defineSearchAttributeKey('AccountId', 'KEYWORD');
export const InboxId = defineSearchAttributeKey('InboxId', 'KEYWORD');
export const DeliveryStatus = defineSearchAttributeKey('DeliveryStatus', 'KEYWORD');

export const SEARCH_ATTRIBUTE_NAMES = ['WebhookId', 'EventType', 'AccountId', 'InboxId', 'DeliveryStatus'] as const;
