/**
 * Authentication and scopes for every listener ({@link dev.edgelog.sqllog.auth.Credentials}):
 * rqlite-style Basic Auth from a users file and bearer tokens stored as SHA-256 hashes, each with
 * scopes (write, read, pull, status, admin). Framework-free, so the primary's SQL API, the pull
 * server and the mirror check credentials the same way.
 */
package dev.edgelog.sqllog.auth;
