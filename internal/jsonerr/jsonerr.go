// Package jsonerr says in plain words why a JSON file could not be read,
// for the configuration files of a model folder: encoding/json's errors
// ("json: cannot unmarshal array into Go value of type model.Config")
// name Go types, and a file cut short reads as "unexpected end of JSON
// input".
package jsonerr

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Explain returns err from json.Unmarshal reworded for a person, wrapping
// it (errors.Is and errors.As still see it); data is what was decoded, for
// the line and column of a syntax error. Other errors come back as they are.
func Explain(err error, data []byte) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax) && syntax.Error() == "unexpected end of JSON input":
		return fmt.Errorf("it ends before its JSON does: cut short while it was copied or written? (%w)", err)
	case errors.As(err, &syntax):
		line, col := position(data, syntax.Offset)
		return fmt.Errorf("it is not valid JSON at line %d, column %d (%w)", line, col, err)
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Errorf("it holds a JSON %s where an object of settings ({…}) belongs (%w)", typ.Value, err)
	case errors.As(err, &typ):
		return fmt.Errorf("its %q is a JSON %s, which is not what that setting takes (%w)", typ.Field, typ.Value, err)
	}
	return err
}

// position is the 1-based line and column of byte offset in data (a
// SyntaxError's Offset is just past the byte that failed).
func position(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < offset-1 && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
