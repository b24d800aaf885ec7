/*
Copyright 2026 The syncwave Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package manifest

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// yamlDocument is one document of a YAML stream.
type yamlDocument struct {
	data []byte
	// line is the line of the stream (from 1) that data starts on.
	line int
}

// contentLine returns the line of the document's first line that is
// neither blank nor a comment: where the object is written.
func (d yamlDocument) contentLine() int {
	n := d.line
	for l := range bytes.Lines(d.data) {
		t := bytes.TrimSpace(l)
		if len(t) > 0 && t[0] != '#' {
			return n
		}
		n++
	}
	return d.line
}

// separatorError is a document separator line that is followed by more
// than a comment ("--- {a: 1}"), which the stream format does not allow.
type separatorError struct {
	line int
	text string
}

func (e *separatorError) Error() string {
	return fmt.Sprintf("invalid document separator %q: only a comment may follow \"---\"", e.text)
}

// splitYAML splits a multi-document YAML stream the way the API
// machinery's YAMLReader does, and remembers the line each document starts
// on: a line that starts with "---" ends the current document when
// nothing but spaces or a comment follows; documents with no line at all
// between two separators are dropped. On a bad separator it returns the
// documents before it and the error.
func splitYAML(data []byte) ([]yamlDocument, *separatorError) {
	var docs []yamlDocument
	cur := yamlDocument{line: 1}
	start, off := 0, 0 // offsets of the current document and line
	lineNo := 1        // line number of the current line
	for l := range bytes.Lines(data) {
		if bytes.HasPrefix(l, []byte("---")) {
			rest := strings.TrimSpace(string(l[3:]))
			if off > start {
				cur.data = data[start:off]
				docs = append(docs, cur)
			}
			if rest != "" && rest[0] != '#' {
				return docs, &separatorError{line: lineNo, text: strings.TrimSpace(string(l))}
			}
			start = off + len(l)
			cur = yamlDocument{line: lineNo + 1}
		}
		off += len(l)
		lineNo++
	}
	if off > start {
		cur.data = data[start:off]
		docs = append(docs, cur)
	}
	return docs, nil
}

// yamlLine matches the line numbers in the YAML parser's messages:
// "yaml: line 3: mapping values are not allowed in this context", and the
// "line 3: ..." entries of "yaml: unmarshal errors:".
var yamlLine = regexp.MustCompile(`\bline (\d+)\b`)

// yamlError is a YAML parser error whose line numbers count in the
// stream, not in the document.
type yamlError struct {
	msg string
	err error
}

func (e *yamlError) Error() string { return e.msg }
func (e *yamlError) Unwrap() error { return e.err }

// relocateYAMLError shifts the line numbers of a YAML parser error in a
// document by offset, the number of stream lines before the document. It
// returns the first line named (0 if none), and the error without its
// "yaml: line N: " prefix, since the line is reported on its own.
func relocateYAMLError(err error, offset int) (int, error) {
	msg := err.Error()
	first := 0
	msg = yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
		n, convErr := strconv.Atoi(strings.TrimPrefix(m, "line "))
		if convErr != nil {
			return m
		}
		if first == 0 {
			first = n + offset
		}
		return "line " + strconv.Itoa(n+offset)
	})
	if first != 0 {
		msg = strings.TrimPrefix(msg, fmt.Sprintf("yaml: line %d: ", first))
	}
	return first, &yamlError{msg: msg, err: err}
}

// lineAt returns the line (from 1) of the byte at offset in data.
func lineAt(data []byte, offset int) int {
	offset = min(max(offset, 0), len(data))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// skipSpace returns the offset of the first byte at or after offset that
// is not JSON white space.
func skipSpace(data []byte, offset int) int {
	for offset < len(data) {
		switch data[offset] {
		case ' ', '\t', '\r', '\n':
			offset++
		default:
			return offset
		}
	}
	return offset
}
