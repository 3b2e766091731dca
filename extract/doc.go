// Package extract owns article extraction: it turns one fetched HTML page into
// a clean, dated Article (main text, title, authors, language, canonical URL,
// publication and modification dates with their provenance). It also owns the
// charset decoding of HTML bodies and URL normalisation, because both decide
// what text and which identity a page gets before anything is stored.
//
// Main-content extraction and most metadata come from go-trafilatura, the Go
// port of the field's standard extractor. Our own layer on top adds what it
// does not give: dates with a source and a confidence (and resistance to the
// usual traps: related-story boxes, comment timestamps, copyright years,
// "last updated" lines), the modified date, the canonical URL, charset
// decoding of legacy encodings, and paragraph structure in Text. The text
// itself is the extractor's with the boilerplate it keeps taken out (see
// clean.go) and the article prose it drops between its paragraphs put back
// (see gaps.go).
package extract
