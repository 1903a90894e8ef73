/**
 * The conventions Stitch writes that are not stable yet (db, messaging, user), copied from
 * `@opentelemetry/semantic-conventions/incubating` rather than imported from it, as that
 * package asks of libraries: its incubating entry may change in a minor release (our range is
 * `^1.45.0`), and loading it costs every process that imports the contract ~1.6 MB of source,
 * about 33 ms of CPU (`stitch --help` included) for these seven strings.
 * `incubating-attributes.test.ts` checks each one against the installed package.
 */
export const ATTR_DB_RESPONSE_RETURNED_ROWS = 'db.response.returned_rows' as const;
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name' as const;
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name' as const;
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id' as const;
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type' as const;
export const ATTR_MESSAGING_SYSTEM_NAME = 'messaging.system.name' as const;
export const ATTR_USER_ID = 'user.id' as const;
