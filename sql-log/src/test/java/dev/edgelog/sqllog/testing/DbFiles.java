package dev.edgelog.sqllog.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Reads a node's SQLite file from a test, read-only, while the node may still be writing it. */
public final class DbFiles {

    private DbFiles() {
    }

    /** The single value {@code sql} returns on {@code db}: the first column of its first row. */
    public static String value(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException(sql + " returned no row from " + db);
            }
            return rs.getString(1);
        }
    }
}
