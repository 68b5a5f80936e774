/**
 * Following upstreams: the pull loop ({@link dev.edgelog.edge.follow.Follower}), upstream choice
 * with a circuit breaker each ({@link dev.edgelog.edge.follow.Upstreams}) and snapshot bootstrap
 * ({@link dev.edgelog.edge.follow.Bootstrap}).
 */
package dev.edgelog.edge.follow;
