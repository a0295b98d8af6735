package io.kinesisha.replicator.source.reader;

import java.io.IOException;

/**
 * Reads one shard for a split reader. {@link #poll()} never blocks for long and never makes an SDK thread
 * wait: an EFO consumer hands over what its subscription delivered, a polling consumer calls GetRecords when
 * it is time to.
 */
public interface ShardConsumer extends AutoCloseable {

    /** Records available now, possibly none; throws for errors that retrying cannot fix. */
    ShardBatch poll() throws IOException;

    @Override
    void close();
}
