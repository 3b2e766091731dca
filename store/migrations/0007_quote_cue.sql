-- What a quote attributes to its speaker (model.QuoteCue): say, think,
-- intend, stance or find. Quotes stored before this version keep '' (not
-- recorded) until their documents are processed again (`watchline events
-- rebuild`).
ALTER TABLE document_quotes ADD COLUMN cue TEXT NOT NULL DEFAULT '';
ALTER TABLE event_quotes ADD COLUMN cue TEXT NOT NULL DEFAULT '';
