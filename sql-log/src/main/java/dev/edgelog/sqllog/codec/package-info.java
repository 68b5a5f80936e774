/**
 * Frames: the one binary form of an entry, the same bytes in segment files and on the wire
 * ({@link dev.edgelog.sqllog.codec.EntryCodec}), read from streams by
 * {@link dev.edgelog.sqllog.codec.FrameReader}, plus a JSON form for people and CDC consumers
 * ({@link dev.edgelog.sqllog.codec.EntryJson}). A frame decodes whole or throws
 * {@link dev.edgelog.sqllog.codec.CorruptFrameException}; there are no partial entries.
 */
package dev.edgelog.sqllog.codec;
