/** A UUID as the hub makes them (versions 1–8, RFC 9562 variant): the ids of children and of every logged record. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
