/**
 * Following upstreams, for edge agents and mirrors alike: the pull loop
 * ({@link dev.edgelog.sqllog.follow.Follower}), upstream choice with a circuit breaker each
 * ({@link dev.edgelog.sqllog.follow.Upstreams}) and snapshot bootstrap ({@code Bootstrap}).
 */
package dev.edgelog.sqllog.follow;
