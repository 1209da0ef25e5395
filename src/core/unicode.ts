/**
 * A UTF-16 surrogate without its pair: no character at all. UTF-8 cannot carry it (written out it
 * becomes U+FFFD), and JSON writes it as an escape, so text that holds one is refused before it
 * reaches the database or a hash (web/input-text.ts, and the change log's own guards).
 */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
