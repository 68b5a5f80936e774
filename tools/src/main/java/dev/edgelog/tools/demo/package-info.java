/** {@code edgelog demo}: three primary nodes, a mirror and two edge agents as child processes, a campaign write stream and a live view. */
package dev.edgelog.tools.demo;
