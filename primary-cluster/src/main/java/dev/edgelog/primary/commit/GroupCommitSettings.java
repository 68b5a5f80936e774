package dev.edgelog.primary.commit;

import java.time.Duration;

/**
 * Group-commit bounds.
 *
 * @param maxRequests  requests packed into one Raft entry at most
 * @param maxBytes     rough payload bytes of one Raft entry at most (one request is never split)
 * @param linger       how long a batch waits for more requests after the first when a proposal
 *                     slot is free; 0 relies on natural batching (requests queue while earlier
 *                     proposals are in flight)
 * @param maxInFlight  Raft proposals outstanding at once
 * @param queueCapacity requests waiting at most; beyond it a write is refused (503)
 * @param strict       refuse SQL that cannot be made deterministic
 */
public record GroupCommitSettings(int maxRequests, int maxBytes, Duration linger, int maxInFlight, int queueCapacity,
                                  boolean strict) {

    public static final int DEFAULT_MAX_REQUESTS = 1024;
    public static final int DEFAULT_MAX_BYTES = 4 << 20;
    public static final Duration DEFAULT_LINGER = Duration.ZERO;
    public static final int DEFAULT_MAX_IN_FLIGHT = 2;
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;

    public GroupCommitSettings {
        if (maxRequests < 1) {
            throw new IllegalArgumentException("group_commit.max_requests cannot be less than 1, was " + maxRequests);
        }
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("group_commit.max_bytes cannot be less than 1024, was " + maxBytes);
        }
        if (linger.isNegative()) {
            throw new IllegalArgumentException("group_commit.linger cannot be negative, was " + linger);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("group_commit.max_in_flight cannot be less than 1, was " + maxInFlight);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("group_commit.queue_capacity cannot be less than 1, was " + queueCapacity);
        }
    }

    public static GroupCommitSettings defaults() {
        return new GroupCommitSettings(DEFAULT_MAX_REQUESTS, DEFAULT_MAX_BYTES, DEFAULT_LINGER, DEFAULT_MAX_IN_FLIGHT,
                DEFAULT_QUEUE_CAPACITY, false);
    }
}
