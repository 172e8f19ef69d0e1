package io.raftline.client;

/** A client operation that cannot succeed: the cluster is unreachable, the producer is closed, the entry too large. */
public class RaftlineClientException extends RuntimeException
{
    public RaftlineClientException(final String message)
    {
        super(message);
    }
}
