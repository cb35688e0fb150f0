\set limit 21
select id, content, created_at from messages order by created_at desc nulls last, id desc nulls last limit :limit;
