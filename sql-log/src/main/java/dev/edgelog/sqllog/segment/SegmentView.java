package dev.edgelog.sqllog.segment;

/** The segments in index order; the last is the active one. Replaced whole, never changed. */
record SegmentView(Segment[] segments) {

    Segment active() {
        return segments[segments.length - 1];
    }

    /** The last segment whose base is at most {@code index}. */
    Segment find(long index) {
        int lo = 0;
        int hi = segments.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segments[mid].base <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return segments[lo];
    }

    /** The segment holding {@code index}, null when past the end; throws when before the start. */
    Segment locate(long index) {
        long first = segments[0].base;
        if (index < first) {
            throw new IndexGoneException(index, first);
        }
        if (index > active().state().lastIndex()) {
            return null;
        }
        return find(index);
    }
}
