package io.raftline.tools;

import io.raftline.core.EntryType;
import io.raftline.core.session.SessionTable;
import io.raftline.io.storage.LogCursor;

import java.util.HashMap;
import java.util.Map;

/**
 * Producer names from a data directory: a session's id is the index of the entry that opened it, and that entry
 * holds the name. A session whose opening entry was compacted away is shown by its id.
 */
final class ProducerNames
{
    private final LogCursor openings;
    private final Map<Long, String> names = new HashMap<>();

    ProducerNames(final LogCursor openings)
    {
        this.openings = openings;
    }

    String of(final long sessionId)
    {
        if (sessionId == 0)
        {
            return "";
        }
        return names.computeIfAbsent(sessionId, this::lookUp);
    }

    private String lookUp(final long sessionId)
    {
        if (openings.seek(sessionId) && openings.next() && openings.type() == EntryType.SESSION)
        {
            final String name = SessionTable.openedName(
                openings.buffer(), openings.payloadOffset(), openings.payloadLength());
            if (name != null)
            {
                return name;
            }
        }
        return Long.toString(sessionId);
    }
}
