package dev.edgelog.primary.commit;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.sql.RejectedSqlException;
import dev.edgelog.sqllog.sql.RewriteContext;
import dev.edgelog.sqllog.sql.RewriteResult;
import dev.edgelog.sqllog.sql.SqlRewriter;
import dev.edgelog.sqllog.sql.TextMemo;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Packs concurrent write requests into one Raft entry each round, so throughput grows with
 * concurrency while every request keeps its own entry, savepoint and result.
 *
 * <p>One thread takes the first waiting request, waits for a free proposal slot (requests keep
 * queueing meanwhile: that is the natural batching), drains up to the count and byte bounds,
 * optionally lingers, fixes the batch's commit time from the leader's clock, makes each request's
 * SQL deterministic against it, and proposes. Replies complete each request's future in order.
 * A full queue refuses new requests ({@link OverloadedException}) rather than lose them.
 */
public final class GroupCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    /** Sends one proposal to Raft; completes with the state machine's reply. */
    @FunctionalInterface
    public interface Proposer {
        CompletableFuture<ByteBuffer> propose(List<Entry> unplaced);
    }

    private final String node;
    private final GroupCommitSettings settings;
    private final Proposer proposer;
    private final BiFunction<ByteBuffer, List<Entry>, List<Committed>> replyDecoder;
    private final Clock clock;
    private final BlockingQueue<WriteRequest> queue;
    private final Semaphore inFlight;
    private final RandomGenerator random = new SecureRandom();
    /**
     * Texts the determinism rewrite leaves as they are. Whether it changes a text depends on the
     * text alone (the time and random values only fill in what it replaces, and strictness is fixed
     * per committer), so these skip the tokenizer next time; it was the group-commit thread's main
     * cost under bulk writes.
     */
    private final TextMemo<Boolean> unchanged = new TextMemo<>(4096, 4096);
    private final Thread thread;
    private volatile boolean closed;

    public GroupCommitter(String node, GroupCommitSettings settings, Proposer proposer,
                          BiFunction<ByteBuffer, List<Entry>, List<Committed>> replyDecoder, Clock clock) {
        this.node = node;
        this.settings = settings;
        this.proposer = proposer;
        this.replyDecoder = replyDecoder;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.inFlight = new Semaphore(settings.maxInFlight());
        this.thread = new Thread(this::run, node + "-group-commit");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues {@code request}; its future completes when it is applied.
     *
     * @throws OverloadedException when the queue is full (nothing was taken)
     */
    public void submit(WriteRequest request) {
        if (closed) {
            throw new OverloadedException("this node is shutting down");
        }
        if (!queue.offer(request)) {
            throw new OverloadedException("the write queue is full (" + settings.queueCapacity() + " requests)");
        }
    }

    /** Requests waiting for a proposal. */
    public int queueDepth() {
        return queue.size();
    }

    private void run() {
        while (!closed) {
            try {
                WriteRequest first = queue.take();
                inFlight.acquire();
                List<WriteRequest> batch = drain(first);
                propose(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("{}: group commit loop failed: {}", node, e.toString(), e);
            }
        }
        failWaiting(new OverloadedException("this node is shutting down"));
    }

    private List<WriteRequest> drain(WriteRequest first) throws InterruptedException {
        List<WriteRequest> batch = new ArrayList<>();
        batch.add(first);
        int bytes = first.estimatedBytes();
        long lingerNanos = settings.linger().toNanos();
        long deadline = System.nanoTime() + lingerNanos;
        while (batch.size() < settings.maxRequests() && bytes < settings.maxBytes()) {
            WriteRequest next = queue.peek() == null && lingerNanos > 0
                    ? queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                    : queue.poll();
            if (next == null) {
                break;
            }
            batch.add(next);
            bytes += next.estimatedBytes();
        }
        return batch;
    }

    private void propose(List<WriteRequest> batch) {
        long commitTime = clock.millis();
        List<WriteRequest> accepted = new ArrayList<>(batch.size());
        List<Entry> unplaced = new ArrayList<>(batch.size());
        for (WriteRequest r : batch) {
            try {
                unplaced.add(new Entry(1, 0, 0, commitTime, r.transaction(), deterministic(r.statements(), commitTime),
                        List.of()));
                accepted.add(r);
            } catch (RejectedSqlException e) {
                r.result().completeExceptionally(e);
            }
        }
        if (accepted.isEmpty()) {
            inFlight.release();
            return;
        }
        CompletableFuture<ByteBuffer> reply;
        try {
            reply = proposer.propose(unplaced);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((bytes, error) -> {
            inFlight.release();
            complete(accepted, unplaced, bytes, error);
        });
    }

    private List<Statement> deterministic(List<Statement> statements, long commitTime) {
        RewriteContext ctx = RewriteContext.of(commitTime, random);
        if (settings.strict()) {
            ctx = ctx.strictly();
        }
        List<Statement> out = new ArrayList<>(statements.size());
        for (Statement s : statements) {
            if (unchanged.get(s.sql()) != null) {
                out.add(s);
                continue;
            }
            RewriteResult r = SqlRewriter.rewrite(s.sql(), ctx);
            if (r.rewritten()) {
                out.add(new Statement(r.sql(), s.parameters()));
            } else {
                unchanged.remember(s.sql(), Boolean.TRUE);
                out.add(s);
            }
        }
        return out;
    }

    /** Answers each request from the reply ({@code replyDecoder} places {@code unplaced} with its outcomes). */
    private void complete(List<WriteRequest> accepted, List<Entry> unplaced, ByteBuffer bytes, Throwable error) {
        if (error != null) {
            for (WriteRequest r : accepted) {
                r.result().completeExceptionally(error);
            }
            return;
        }
        List<Committed> applied;
        try {
            applied = replyDecoder.apply(bytes, unplaced);
        } catch (RuntimeException e) {
            applied = null;
            error = e;
        }
        if (applied == null || applied.size() != accepted.size()) {
            Throwable cause = error != null ? error : new IllegalStateException("the state machine answered "
                    + (applied == null ? 0 : applied.size()) + " entries for " + accepted.size() + " requests");
            for (WriteRequest r : accepted) {
                r.result().completeExceptionally(cause);
            }
            return;
        }
        for (int i = 0; i < accepted.size(); i++) {
            accepted.get(i).result().complete(applied.get(i));
        }
    }

    private void failWaiting(RuntimeException cause) {
        for (WriteRequest r; (r = queue.poll()) != null; ) {
            r.result().completeExceptionally(cause);
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.interrupt();
        thread.join(5_000);
        failWaiting(new OverloadedException("this node is shutting down"));
    }
}
