package dev.edgelog.sqllog.apply;

/**
 * SQLite's {@code PRAGMA synchronous} for the applier's connection (WAL mode).
 *
 * <ul>
 *   <li>{@link #NORMAL} (default): a process crash ({@code kill -9}) loses nothing committed; a power
 *       cut or OS crash may lose the last transactions, never corrupt the file. A follower then
 *       re-pulls them from its upstream, since its applied index went back with them.</li>
 *   <li>{@link #FULL}: every commit is fsync'ed; survives power loss; slower.</li>
 *   <li>{@link #OFF}: no fsync at all; only for throw-away replicas and benchmarks.</li>
 *   <li>{@link #EXTRA}: as FULL, also syncs the directory.</li>
 * </ul>
 */
public enum Synchronous {
    OFF, NORMAL, FULL, EXTRA
}
