package dev.edgelog.sqllog.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array with the primitive writes the codec needs; not thread-safe. */
final class ByteSink {

    private byte[] buf;
    private int size;

    ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    int size() {
        return size;
    }

    byte[] array() {
        return buf;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    void skip(int n) {
        ensure(n);
        size += n;
    }

    void putByte(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    void putIntAt(int pos, int v) {
        buf[pos] = (byte) (v >>> 24);
        buf[pos + 1] = (byte) (v >>> 16);
        buf[pos + 2] = (byte) (v >>> 8);
        buf[pos + 3] = (byte) v;
    }

    void putLongFixed(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
    }

    /** Unsigned LEB128. */
    void putVarLong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    /** Zig-zag then LEB128, so small negative numbers stay small. */
    void putZigZag(long v) {
        putVarLong((v << 1) ^ (v >> 63));
    }

    void putBytes(byte[] b) {
        putVarLong(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    void putString(String s) {
        putBytes(utf8(s));
    }

    /**
     * Strict UTF-8: a string with an unpaired surrogate cannot be stored faithfully, and silently
     * turning it into '?' would make replicas disagree with what the writer sent.
     */
    static byte[] utf8(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new IllegalArgumentException("text has an unpaired surrogate at char " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException("text has an unpaired surrogate at char " + i);
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
