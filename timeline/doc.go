// Package timeline turns stored documents into a timeline of real-world
// events. It owns event clustering (an online clusterer tailing the store's
// seq log, committing its output with its cursor), event dating (when an event
// happened, as opposed to when it was published or what other dates it
// mentions), event typing (a lexicon in lexicon.json), actors (a gazetteer in
// gazetteer.json plus name patterns), quote and speaker extraction, editors'
// corrections (merge, split, edit) and exports (text, CSV, JSON, NDJSON,
// TimelineJS, ICS, Markdown).
//
// Topic and query matching go through the small Matcher interface; the
// search index provides it, the timeline never imports it.
package timeline
