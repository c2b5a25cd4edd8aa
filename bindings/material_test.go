package bindings

import "testing"

func TestMaterialModule(t *testing.T) { runModuleTests(t, "testdata/material_test.lua") }
