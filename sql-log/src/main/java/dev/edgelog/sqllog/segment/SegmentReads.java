package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlLogException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The lock-free read paths of {@link SegmentStore}: take the current view, take a reference on the
 * segment (look again if retention or a reset closed it meanwhile) and read its published state.
 */
final class SegmentReads {

    private SegmentReads() {
    }

    static FrameRange readRange(Supplier<SegmentView> views, long fromIndex, int maxBytes, int maxPayload) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
        }
        while (true) {
            Segment seg = views.get().locate(fromIndex);
            if (seg == null) {
                return FrameRange.empty(fromIndex);
            }
            if (!seg.acquire()) {
                continue;
            }
            boolean handedOut = false;
            try {
                Segment.State s = seg.state();
                if (fromIndex > s.lastIndex()) {
                    return FrameRange.empty(fromIndex);
                }
                long[] r = seg.range(s, fromIndex, maxBytes, maxPayload);
                handedOut = true;
                return new FrameRange(seg, r[0], r[1], fromIndex, r[2], maxPayload);
            } catch (IOException e) {
                throw new SqlLogException("reading " + seg.logFile + " failed", e);
            } finally {
                if (!handedOut) {
                    seg.release();
                }
            }
        }
    }

    static List<Entry> readEntries(Supplier<SegmentView> views, long fromIndex, int maxCount, int maxPayload) {
        List<Entry> out = new ArrayList<>(Math.min(Math.max(maxCount, 0), 1024));
        long next = fromIndex;
        while (out.size() < maxCount) {
            SegmentView v = views.get();
            Segment seg;
            if (out.isEmpty()) {
                seg = v.locate(next);
            } else {
                seg = next > v.active().state().lastIndex() || next < v.segments()[0].base ? null : v.find(next);
            }
            if (seg == null) {
                break;
            }
            if (!seg.acquire()) {
                continue;
            }
            try {
                Segment.State s = seg.state();
                if (next > s.lastIndex() || next < seg.base) {
                    break;
                }
                out.addAll(seg.readEntries(s, next, maxCount - out.size(), maxPayload));
                next = fromIndex + out.size();
            } catch (IOException e) {
                throw new SqlLogException("reading " + seg.logFile + " failed", e);
            } finally {
                seg.release();
            }
        }
        return out;
    }
}
