//go:build !unix

package config

import "errors"

func syscallMkfifo(string) error { return errors.New("no FIFOs on this system") }
