package fsguard

import "testing"

// The O_NOFOLLOW walk (what macOS uses, and Linux without openat2) holds the same line.
func TestWithoutOpenat2(t *testing.T) {
	useOpenat2 = false
	defer func() { useOpenat2 = true }()
	t.Run("write", TestWriteThroughLinkIntoGitPlantsNoHook)
	t.Run("read", TestReadThroughLinkOutOfTheTreeLeaksNothing)
	t.Run("fifo", TestReadRefusesFIFOQuickly)
	t.Run("temp", TestTempRenameAndStatFollowNoLink)
}
