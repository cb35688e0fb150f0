-- Written by hand: the trigger that bumps the board's revision runs with its
-- owner's rights (the role migrations run as), so a role that may only read,
-- insert and delete messages (infra/postgres) can still change them. The
-- search_path is fixed, as a SECURITY DEFINER function's must be.
ALTER FUNCTION "bump_board_revision"() SECURITY DEFINER SET search_path = public, pg_temp;
