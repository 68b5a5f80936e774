/** Reading role configuration files (YAML) with one set of rules: unknown keys and bad values are errors naming the key. */
package dev.edgelog.sqllog.config;
