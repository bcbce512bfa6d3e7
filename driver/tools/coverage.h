/* SPDX-License-Identifier: GPL-2.0 */
#pragma once
/* Runs the coverage scenario in `dir` and prints its facts as JSON (see coverage.c). */
int coverage(const char *dir);
