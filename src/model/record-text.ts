/**
 * Where a record's own JSON text lies in the file it was parsed from: text.slice(start, end) is
 * the record, on one line, and parses to exactly the record's object. The store keeps raw records
 * as JSON lines; writing this slice spares it serialising the parsed object again
 * (JSON.stringify of every record took about a tenth of the parse workers' time).
 */
export interface RecordText {
  /** The whole decoded file (the record is a view into it, not a copy). */
  text: string;
  start: number;
  end: number;
  /** Offset of the record's one top-level `"eventID"` key, written literally; -1 when there is none or several. */
  idAt: number;
  /**
   * The file's UTF-8 bytes, when it decoded to one character per byte (ASCII, as CloudTrail
   * writes it): offsets into `text` are offsets into these, so the record's bytes are copied as
   * they are instead of being encoded again.
   */
  bytes?: Uint8Array;
}
