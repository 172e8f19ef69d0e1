package io.raftline.client;

/**
 * The root of every error the client raises: catch it for all of them, or a subtype for one. {@link #reason()} says
 * which, for code that switches rather than catches.
 */
public class RaftlineClientException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Why an operation failed. */
    public enum Reason
    {
        /** No leader answered in time: the cluster is down, unreachable, or has no majority. */
        CLUSTER_UNAVAILABLE,
        /** The entry is larger than the cluster accepts ({@code client.entry.max.bytes}). */
        ENTRY_TOO_LARGE,
        /** The producer or consumer was closed, or stopped for good after a failure. */
        CLOSED,
        /** The leader no longer knows the producer's session (it expired): a new producer must be opened. */
        SESSION_EXPIRED,
        /** No acknowledgement within the acknowledgement timeout; the entry may or may not be committed. */
        TIMEOUT,
        /** The leader refused the request for a reason the message gives. */
        REJECTED,
        /** The node no longer holds the entries asked for: a snapshot holds the state before its log's start. */
        COMPACTED,
        /** The operation cannot be made as asked (a bad bind address, an unknown node). */
        INVALID_REQUEST,
        /** The calling thread was interrupted while it waited. */
        INTERRUPTED,
        /** The client's credential lacks the right the request needs (produce, consume or admin). */
        UNAUTHORISED
    }

    private final Reason reason;

    public RaftlineClientException(final Reason reason, final String message)
    {
        super(message);
        this.reason = reason;
    }

    public Reason reason()
    {
        return reason;
    }

    /** The exception for {@code reason}: its subtype where it has one, so that callers may catch either. */
    public static RaftlineClientException of(final Reason reason, final String message)
    {
        return switch (reason)
        {
            case CLUSTER_UNAVAILABLE -> new ClusterUnavailableException(message);
            case ENTRY_TOO_LARGE -> new EntryTooLargeException(message);
            case CLOSED -> new ClosedException(message);
            case SESSION_EXPIRED -> new SessionExpiredException(message);
            case COMPACTED -> new CompactedException(message);
            case UNAUTHORISED -> new UnauthorisedException(message);
            default -> new RaftlineClientException(reason, message);
        };
    }

    /** No leader answered in time. */
    public static final class ClusterUnavailableException extends RaftlineClientException
    {
        private static final long serialVersionUID = 1L;

        public ClusterUnavailableException(final String message)
        {
            super(Reason.CLUSTER_UNAVAILABLE, message);
        }
    }

    /** The entry is larger than the cluster accepts. */
    public static final class EntryTooLargeException extends RaftlineClientException
    {
        private static final long serialVersionUID = 1L;

        public EntryTooLargeException(final String message)
        {
            super(Reason.ENTRY_TOO_LARGE, message);
        }
    }

    /** The producer or consumer is closed, or stopped for good after a failure the message names. */
    public static final class ClosedException extends RaftlineClientException
    {
        private static final long serialVersionUID = 1L;

        public ClosedException(final String message)
        {
            super(Reason.CLOSED, message);
        }
    }

    /**
     * The leader no longer knows the producer's session (it expired, or was closed), or a session to resume is not
     * one of that name: entries not acknowledged may or may not be committed; a new session carries on.
     */
    public static final class SessionExpiredException extends RaftlineClientException
    {
        private static final long serialVersionUID = 1L;

        public SessionExpiredException(final String message)
        {
            super(Reason.SESSION_EXPIRED, message);
        }
    }

    /** The client's credential lacks the right the request needs; the message names it. */
    public static final class UnauthorisedException extends RaftlineClientException
    {
        private static final long serialVersionUID = 1L;

        public UnauthorisedException(final String message)
        {
            super(Reason.UNAUTHORISED, message);
        }

        /** The refusal of a request that needed one of {@code rights}, for the client's credential. */
        static UnauthorisedException lacking(final ClientTransport transport, final long rights)
        {
            return new UnauthorisedException("credential '" + transport.credentialName() + "' lacks the " +
                io.raftline.protocol.security.ClientCredential.rightsText((int)rights).replace(",", " or ") +
                " right");
        }
    }

    /** The node no longer holds the entries asked for. */
    public static final class CompactedException extends RaftlineClientException
    {
        private static final long serialVersionUID = 1L;

        public CompactedException(final String message)
        {
            super(Reason.COMPACTED, message);
        }
    }
}
