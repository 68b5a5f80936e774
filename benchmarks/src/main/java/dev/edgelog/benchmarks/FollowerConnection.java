package dev.edgelog.benchmarks;

import dev.edgelog.sqllog.pull.PullProtocol;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated follower: its position in the log and its keep-alive connection, driven by the
 * {@link FollowerLoop} that owns it (only that thread calls its methods, except the two getters).
 *
 * <p>It loops like an edge agent without a database: send {@code GET /v1/log}, read the whole
 * answer, move {@code after} by the number of frames received, send the next long poll at once. The
 * first request on a new connection asks for no wait, so its answer comes back at once and tells
 * the loop the server has accepted the connection (the loop limits how many are being set up).
 */
final class FollowerConnection {

    private enum State { DISCONNECTED, CONNECTING, POLLING, BACKOFF }

    private static final Logger LOG = LoggerFactory.getLogger(FollowerConnection.class);

    private static final long CONNECT_TIMEOUT_NANOS = 10_000_000_000L;
    /** How long past its {@code wait_ms} an answer may be late before the connection counts as dead. */
    private static final long ANSWER_GRACE_NANOS = 30_000_000_000L;

    final int id;
    private final String node;
    private final FollowerLoop loop;
    private final FollowerCounters counters;
    private final PollAnswer answer;

    private volatile long after;
    private volatile long advancedAt;
    private long lastCommit = -1;
    private SocketChannel channel;
    private SelectionKey key;
    private ByteBuffer unsent;
    private State state = State.DISCONNECTED;
    private long since;
    private boolean settingUp;
    private boolean parked;
    private boolean attempted;
    private int epoch;

    FollowerConnection(int id, String node, long after, FollowerLoop loop) {
        this.id = id;
        this.node = node;
        this.after = after;
        this.advancedAt = System.nanoTime();
        this.loop = loop;
        this.counters = loop.counters;
        this.answer = new PollAnswer(loop.options.maxHeadBytes());
    }

    /** The last index this follower holds; any thread. */
    long position() {
        return after;
    }

    /** {@link System#nanoTime()} of the answer that moved {@link #position()} last; any thread. */
    long advancedAt() {
        return advancedAt;
    }

    void connect(Selector selector, long now) {
        if (attempted) {
            counters.reconnects.increment();
        }
        attempted = true;
        settingUp = true;
        state = State.CONNECTING;
        since = now;
        try {
            channel = SocketChannel.open(loop.family);
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            boolean done = channel.connect(loop.options.server());
            key = channel.register(selector, done ? 0 : SelectionKey.OP_CONNECT, this);
            if (done) {
                connected();
            }
        } catch (IOException e) {
            fail("cannot connect: " + e);
        }
    }

    void onConnectable() {
        try {
            if (!channel.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            fail("cannot connect: " + e);
            return;
        }
        connected();
    }

    void onWritable() {
        write();
    }

    /** Reads what has arrived into {@code buffer} (shared by the loop's followers) and handles it. */
    void onReadable(ByteBuffer buffer) {
        buffer.clear();
        int n;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            fail("read failed: " + e);
            return;
        }
        if (n < 0) {
            fail("the server closed the connection");
            return;
        }
        long now = System.nanoTime();
        buffer.flip();
        try {
            while (buffer.hasRemaining() && channel != null) {
                if (state != State.POLLING || unsent != null) {
                    throw new PollAnswer.ProtocolException(buffer.remaining() + " bytes arrived with no request "
                            + "waiting for them");
                }
                if (answer.feed(buffer)) {
                    answered(now);
                }
            }
        } catch (PollAnswer.ProtocolException e) {
            fail(e.getMessage());
        }
    }

    /** Gives up on a connect or an answer that takes far too long. */
    void checkTimeout(long now) {
        if (state == State.CONNECTING && now - since > CONNECT_TIMEOUT_NANOS) {
            fail("no connection after " + CONNECT_TIMEOUT_NANOS / 1_000_000 + " ms");
        } else if (state == State.POLLING && now - since > ANSWER_GRACE_NANOS + loop.options.waitMs() * 1_000_000) {
            fail("no answer " + ANSWER_GRACE_NANOS / 1_000_000 + " ms after the long poll's wait ran out");
        }
    }

    /** A timer set by {@link #retryAfter} is due: poll again, or connect again. */
    void timerDue(int timerEpoch, long now) {
        if (timerEpoch != epoch) {
            return;
        }
        if (state == State.BACKOFF) {
            send(loop.options.waitMs(), now);
        } else if (state == State.DISCONNECTED) {
            loop.queueConnect(this);
        }
    }

    /** Closes the connection without counting anything (the harness is closing). */
    void close() {
        closeChannel();
    }

    private void connected() {
        counters.connected.incrementAndGet();
        send(0, System.nanoTime());
    }

    private void send(long waitMs, long now) {
        String request = "GET " + PullProtocol.LOG_PATH + "?after=" + after + "&max_bytes=" + loop.options.maxBytes()
                + "&wait_ms=" + waitMs + " HTTP/1.1\r\n" + loop.fixedHeaders + PullProtocol.NODE_HEADER + ": " + node
                + "\r\n\r\n";
        unsent = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        state = State.POLLING;
        since = now;
        counters.requests.increment();
        if (waitMs > 0 && after >= lastCommit) {
            parked = true;
            counters.parked.incrementAndGet();
        }
        write();
    }

    private void write() {
        try {
            channel.write(unsent);
        } catch (IOException e) {
            fail("write failed: " + e);
            return;
        }
        if (unsent.hasRemaining()) {
            key.interestOps(SelectionKey.OP_WRITE);
        } else {
            unsent = null;
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void answered(long now) throws PollAnswer.ProtocolException {
        unpark();
        counters.headBytes.add(answer.headBytes());
        counters.bodyBytes.add(answer.bodyBytes());
        if (answer.commitIndex() >= 0) {
            lastCommit = answer.commitIndex();
        }
        int status = answer.status();
        long frames = answer.frames();
        boolean close = answer.closeAfter();
        answer.next();
        if (settingUp) {
            settingUp = false;
            loop.setupEnded();
        }
        boolean backOff = false;
        switch (status) {
            case 200 -> {
                if (frames == 0) {
                    throw new PollAnswer.ProtocolException("a 200 without frames");
                }
                counters.ok.increment();
                counters.frames.add(frames);
                advancedAt = now;
                after += frames;
                loop.advanced(id, after, now);
            }
            case 204 -> counters.noContent.increment();
            case 410 -> {
                if (lastCommit < 0) {
                    throw new PollAnswer.ProtocolException("a 410 without " + PullProtocol.COMMIT_INDEX_HEADER);
                }
                counters.gone.increment();
                after = lastCommit;
            }
            default -> {
                counters.otherStatus.increment();
                counters.lastError = "answer " + status;
                backOff = true;
            }
        }
        if (close) {
            closeChannel();
            loop.queueConnect(this);
        } else if (backOff) {
            state = State.BACKOFF;
            retryAfter(loop.options.errorBackoff().toNanos(), now);
        } else {
            send(loop.options.waitMs(), now);
        }
    }

    /** Counts an error, drops the connection and connects again after the backoff. */
    private void fail(String why) {
        counters.errors.increment();
        counters.lastError = why;
        LOG.debug("{}: {}; reconnecting", node, why);
        if (settingUp) {
            settingUp = false;
            loop.setupEnded();
        }
        closeChannel();
        retryAfter(loop.options.reconnectBackoff().toNanos(), System.nanoTime());
    }

    private void retryAfter(long delayNanos, long now) {
        epoch++;
        loop.schedule(now + delayNanos, this, epoch);
    }

    private void closeChannel() {
        unpark();
        epoch++;
        if (channel != null) {
            if (channel.isConnected()) {
                counters.connected.decrementAndGet();
            }
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("{}: closing failed: {}", node, e.toString());
            }
        }
        channel = null;
        key = null;
        unsent = null;
        answer.next();
        state = State.DISCONNECTED;
    }

    private void unpark() {
        if (parked) {
            parked = false;
            counters.parked.decrementAndGet();
        }
    }
}
