// Package gitindex reads git's index file (the staging area, .git/index) without decoding it into
// objects: Walk hands each entry's name and fixed-size part to a callback, straight from the
// file's bytes, and returns the extensions unparsed. It reads versions 2, 3 and 4 (whose names
// are prefix-compressed) of repositories using SHA-1 or SHA-256.
//
// Like git itself outside `git fsck`, Walk does not verify the trailing checksum (hashing a
// large index costs more than reading it); it checks the layout instead: every entry and
// extension must lie within the file and the last must end exactly where the trailer starts,
// so a truncated or foreign file is refused rather than misread.
package gitindex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Hash sizes: the length of an object name, and of the index's trailer, in each object format.
const (
	SHA1   = 20
	SHA256 = 32
)

// Flag bits of an entry (Flags).
const (
	FlagAssumeValid = 0x8000
	FlagExtended    = 0x4000 // version 3 and later: ExtFlags follow
	StageMask       = 0x3000
	StageShift      = 12
)

// Bits of an entry's extended flags (ExtFlags).
const (
	ExtSkipWorktree = 0x4000
	ExtIntentToAdd  = 0x2000
)

// Mode bits of an entry's object type (Mode(head) & ModeTypeMask).
const (
	ModeTypeMask = 0o170000
	ModeGitlink  = 0o160000 // a submodule's commit
	ModeDir      = 0o040000 // a sparse index's directory entry (its name ends in "/")
	ModeSymlink  = 0o120000
)

// Extension is one extension of an index file: its four-byte signature and its data.
type Extension struct {
	Sig  string
	Data []byte
}

// HeadSize is the length of an entry's fixed part for hashes of hashSize bytes: stat data (ctime,
// mtime, dev, ino), mode, uid, gid, size, the object name and the flags.
func HeadSize(hashSize int) int { return 40 + hashSize + 2 }

// Mode is the entry's mode (type and permission bits) from its fixed part.
func Mode(head []byte) uint32 { return binary.BigEndian.Uint32(head[24:28]) }

// Size is the entry's file size, truncated to 32 bits, from its fixed part.
func Size(head []byte) uint32 { return binary.BigEndian.Uint32(head[36:40]) }

// Flags is the entry's flags from its fixed part.
func Flags(head []byte) uint16 { return binary.BigEndian.Uint16(head[len(head)-2:]) }

// Stage is the entry's merge stage (0 for an ordinary entry, 1 to 3 for a conflict's sides)
// from its fixed part.
func Stage(head []byte) int { return int(Flags(head)&StageMask) >> StageShift }

// Hash is the entry's object name from its fixed part; it aliases head.
func Hash(head []byte) []byte { return head[40 : len(head)-2] }

// ErrFormat is returned for a file that is not an index as git writes it.
var ErrFormat = errors.New("not an index file git writes")

// Walk calls fn for each entry of index file b, in the file's order (sorted by name, then
// stage), with the entry's full name and its fixed part (HeadSize(hashSize) bytes), and extFlags,
// the extended flags (0 when the entry has none). name and head may alias b or a buffer reused
// for the next entry: copy what you keep. Walk returns the extensions, which alias b.
func Walk(b []byte, hashSize int, fn func(name, head []byte, extFlags uint16)) ([]Extension, error) {
	if len(b) < 12+hashSize || string(b[:4]) != "DIRC" {
		return nil, ErrFormat
	}
	version := binary.BigEndian.Uint32(b[4:8])
	count := binary.BigEndian.Uint32(b[8:12])
	if version < 2 || version > 4 {
		return nil, fmt.Errorf("index version %d is not one hew reads", version)
	}
	headSize := HeadSize(hashSize)
	end := len(b) - hashSize
	var prev []byte // version 4: the previous name, which the next one's prefix is cut from
	off := 12
	for range count {
		if off+headSize > end {
			return nil, ErrFormat
		}
		head := b[off : off+headSize]
		nameAt := off + headSize
		var ext uint16
		if Flags(head)&FlagExtended != 0 {
			if version < 3 || nameAt+2 > end {
				return nil, ErrFormat
			}
			ext = binary.BigEndian.Uint16(b[nameAt:])
			nameAt += 2
		}
		if nameAt > end {
			return nil, ErrFormat
		}
		if version == 4 {
			strip, n := binary.Uvarint(b[nameAt:end])
			if n <= 0 || strip > uint64(len(prev)) {
				return nil, ErrFormat
			}
			nul := bytes.IndexByte(b[nameAt+n:end], 0)
			if nul < 0 {
				return nil, ErrFormat
			}
			prev = append(prev[:len(prev)-int(strip)], b[nameAt+n:nameAt+n+nul]...)
			fn(prev, head, ext)
			off = nameAt + n + nul + 1
			continue
		}
		nul := bytes.IndexByte(b[nameAt:end], 0)
		if nul < 0 {
			return nil, ErrFormat
		}
		// Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
		next := off + (nameAt-off+nul+8)&^7
		if next > end {
			return nil, ErrFormat
		}
		fn(b[nameAt:nameAt+nul], head, ext)
		off = next
	}
	var exts []Extension
	for off+8 <= end {
		size := int(binary.BigEndian.Uint32(b[off+4 : off+8]))
		if size < 0 || size > end-off-8 {
			return nil, ErrFormat
		}
		exts = append(exts, Extension{string(b[off : off+4]), b[off+8 : off+8+size]})
		off += 8 + size
	}
	if off != end {
		return nil, ErrFormat
	}
	return exts, nil
}
