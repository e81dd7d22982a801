-- strat schema, version 7.
--
-- A new database gets this file whole. An older one is rebuilt to it by
-- src/store/schema.rs: every table is created anew from the definitions
-- below and its rows copied in, each checked against every CHECK, inside
-- one transaction. The CHECKs repeat the rules the code enforces, so that
-- a bug cannot store a state the tool cannot explain.
-- Lists of allowed words are written with OR, not IN: SQLite builds a
-- temporary table for an IN list each time it checks a row.
-- Dates are 'YYYY-MM-DD' text; timestamps are fixed-width UTC RFC 3339
-- ('2024-03-18T09:30:00.000000Z'), so text order is time order.
--
-- What each version brought: 2, the history of strategies; 3, an index of
-- notes; 4 and 5, the tables as written here, every CHECK in force;
-- 6, the day each change holds from (`effective`), and notes on strategies;
-- 7, the command each change was made by, what removals took away, and
-- changes that undo others.

CREATE TABLE strategy (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE
                CHECK (length(code) BETWEEN 1 AND 40
                       AND code NOT GLOB '*[^a-z0-9-]*'
                       AND code NOT GLOB '-*'),
    title       TEXT NOT NULL CHECK (length(trim(title)) > 0),
    status      TEXT NOT NULL
                CHECK (status = 'draft' OR status = 'interim' OR status = 'adopted'
                       OR status = 'superseded' OR status = 'closed'),
    starts      TEXT NOT NULL CHECK (starts IS date(starts)),
    ends        TEXT NOT NULL CHECK (ends IS date(ends) AND ends >= starts),
    decision    TEXT,
    adopted     TEXT CHECK (adopted IS date(adopted)),
    lead        TEXT,
    department  TEXT,
    supersedes  INTEGER REFERENCES strategy(id) ON DELETE SET NULL,
    description TEXT
) STRICT;

-- AUTOINCREMENT: an item number is never handed out twice, even after the
-- item with the highest number is removed.
CREATE TABLE item (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    strategy_id  INTEGER NOT NULL REFERENCES strategy(id) ON DELETE CASCADE,
    ref          TEXT CHECK (ref IS NULL OR length(trim(ref)) > 0),
    title        TEXT NOT NULL CHECK (length(trim(title)) > 0),
    description  TEXT,
    theme        TEXT,
    owner        TEXT,
    status       TEXT NOT NULL
                 CHECK (status = 'planned' OR status = 'in-progress' OR status = 'on-hold'
                        OR status = 'completed' OR status = 'cancelled'
                        OR status = 'carried-forward'),
    progress     INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    start        TEXT CHECK (start IS date(start)),
    due          TEXT CHECK (due IS date(due)),
    completed_on TEXT CHECK (completed_on IS date(completed_on)),
    rag_override TEXT CHECK (rag_override = 'red' OR rag_override = 'amber'
                             OR rag_override = 'green'),
    rag_reason   TEXT CHECK (rag_reason IS NULL OR rag_override IS NOT NULL),
    carried_from INTEGER REFERENCES item(id),
    carried_to   INTEGER REFERENCES item(id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL CHECK (updated_at >= created_at),
    -- The day its latest change holds from (the history's, kept here so
    -- lists need not read the history).
    last_update  TEXT NOT NULL CHECK (last_update IS date(last_update)),
    UNIQUE (strategy_id, ref),
    CHECK (start IS NULL OR due IS NULL OR due >= start),
    CHECK ((status = 'completed') = (completed_on IS NOT NULL)),
    CHECK (status <> 'completed' OR progress = 100),
    CHECK (status <> 'carried-forward' OR carried_to IS NOT NULL)
) STRICT;

-- Items of one strategy (the UNIQUE above covers strategy_id alone too),
-- outstanding work by target date, and the links followed on removal.
CREATE INDEX item_by_strategy_status ON item(strategy_id, status);
CREATE INDEX item_by_status_due ON item(status, due);
CREATE INDEX item_by_carried_from ON item(carried_from) WHERE carried_from IS NOT NULL;
CREATE INDEX item_by_carried_to ON item(carried_to) WHERE carried_to IS NOT NULL;

-- Each command that changed something: who ran it and when, and, once
-- taken back by `strat undo`, the command that did so. Its changes are the
-- events and strategy events that name it.
CREATE TABLE command (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL
              CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z'),
    by        TEXT NOT NULL,
    name      TEXT NOT NULL CHECK (length(name) > 0),
    undone_by INTEGER REFERENCES command(id)
) STRICT;

-- Each person's latest commands.
CREATE INDEX command_by_person ON command(by, id);

-- The history: one row per change, never updated. `changes` is a JSON list
-- of {"field", "from", "to"}; the 'created' event lists every initial value,
-- so any past state of an item can be rebuilt from its events alone.
-- `at` is when the change was recorded, `effective` the day it holds from
-- (a quarter's return entered after the quarter ends holds from its last
-- day); a past day's state applies the changes in order of `effective`.
CREATE TABLE event (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,
    at      TEXT NOT NULL
            CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z'),
    effective TEXT NOT NULL CHECK (effective IS date(effective)),
    by      TEXT NOT NULL,
    action  TEXT NOT NULL
            CHECK (action = 'created' OR action = 'updated' OR action = 'completed'
                   OR action = 'noted' OR action = 'carried-forward'
                   OR action = 'carried-in' OR action = 'undone'),
    changes TEXT NOT NULL CHECK (json_valid(changes) AND json_type(changes) = 'array'),
    note    TEXT,
    command INTEGER REFERENCES command(id)
) STRICT;

-- Each item's history in the order its changes hold, and (its last entry)
-- the day of its latest change.
CREATE INDEX event_by_item ON event(item_id, effective, at, id);
CREATE INDEX event_by_command ON event(command) WHERE command IS NOT NULL;

-- The history of each strategy's own details (title, status, period, …),
-- so a report as of a past day shows the strategy as it was, and the notes
-- on the strategy as a whole ('noted', with no changes).
CREATE TABLE strategy_event (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    strategy_id INTEGER NOT NULL REFERENCES strategy(id) ON DELETE CASCADE,
    at          TEXT NOT NULL
                CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z'),
    effective   TEXT NOT NULL CHECK (effective IS date(effective)),
    by          TEXT NOT NULL,
    action      TEXT NOT NULL
                CHECK (action = 'created' OR action = 'updated' OR action = 'noted'
                       OR action = 'undone'),
    changes     TEXT NOT NULL CHECK (json_valid(changes) AND json_type(changes) = 'array'),
    note        TEXT,
    command     INTEGER REFERENCES command(id)
) STRICT;

CREATE INDEX strategy_event_by_strategy ON strategy_event(strategy_id, effective, at, id);
CREATE INDEX strategy_event_by_command ON strategy_event(command) WHERE command IS NOT NULL;

-- What a command removed (an item, or a strategy), kept whole so that
-- `strat undo` can bring it back: `record` is the document `export` writes
-- for it and its history, `commands` the command of each of its events
-- ({"events": [[event, command], ...], "strategy_events": [...]}). An
-- item's number stays free while it is here: numbers are never reused.
CREATE TABLE removed (
    id       INTEGER PRIMARY KEY,
    command  INTEGER NOT NULL REFERENCES command(id),
    kind     TEXT NOT NULL CHECK (kind = 'item' OR kind = 'strategy'),
    name     TEXT NOT NULL,
    record   TEXT NOT NULL CHECK (json_valid(record) AND json_type(record) = 'object'),
    commands TEXT NOT NULL CHECK (json_valid(commands) AND json_type(commands) = 'object')
) STRICT;

CREATE INDEX removed_by_command ON removed(command);

-- The events with notes, with their notes and commands, so the latest note
-- of each item is read from a small index instead of the whole history.
CREATE INDEX event_notes ON event(item_id, effective, at, id, note, command, action)
    WHERE note IS NOT NULL;
