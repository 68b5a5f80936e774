/**
 * The mirror: a relay tier between the primary cluster and the edges. {@link dev.edgelog.mirror.MirrorNode}
 * ties together the follower loop (sql-log's {@code follow} package) writing a SQLite replica, the
 * mirror's own copy of the log ({@code relay}), and the pull API served to the tier below
 * ({@code http}).
 */
package dev.edgelog.mirror;
