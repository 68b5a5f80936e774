/**
 * The segment store: the SQL log on disk as append-only segment files of frames (the wire bytes),
 * each with a sparse index, a recovery point, torn-tail recovery on open, retention by size and
 * age, and zero-copy range reads for the pull server. Entry point: {@link
 * dev.edgelog.sqllog.segment.SegmentStore}; settings: {@link dev.edgelog.sqllog.segment.SegmentStoreConfig}.
 */
package dev.edgelog.sqllog.segment;
