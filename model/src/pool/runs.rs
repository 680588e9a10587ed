//! The run allocator of a 4.1.52+ chunk: free runs in best-fit queues (`runsAvail`)
//! and a first/last-page map for coalescing (`runsAvailMap`; netty.md §3.2).

use super::chunk::Run;
use super::size_classes::SizeClasses;
use std::collections::{BTreeMap, BTreeSet};

/// `runsAvail` and `runsAvailMap` of one chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunPages {
    runs_avail: Vec<BTreeSet<Run>>,
    runs_avail_map: BTreeMap<u32, Run>,
}

impl RunPages {
    /// All `pages` pages in one free run.
    pub(crate) fn new(sc: &SizeClasses, pages: u32) -> Self {
        let mut runs = RunPages {
            runs_avail: vec![BTreeSet::new(); sc.n_p_sizes()],
            runs_avail_map: BTreeMap::new(),
        };
        runs.insert_avail_run(sc, Run { offset: 0, pages });
        runs
    }

    /// Free runs with the `runsAvail` queue each sits in, by queue then offset.
    #[inline]
    pub fn free_runs_by_queue(&self) -> impl Iterator<Item = (usize, Run)> + '_ {
        self.runs_avail
            .iter()
            .enumerate()
            .flat_map(|(i, q)| q.iter().map(move |r| (i, *r)))
    }

    /// `runsAvailMap`: first and last page of each free run → the run.
    pub fn runs_avail_map(&self) -> &BTreeMap<u32, Run> {
        &self.runs_avail_map
    }

    /// `allocateRun`'s search: best-fit queue, lowest offset first, split, re-insert
    /// the tail. `whole_chunk_free` takes the last queue (Netty's shortcut).
    pub(crate) fn allocate(
        &mut self,
        sc: &SizeClasses,
        pages: u32,
        whole_chunk_free: bool,
    ) -> Option<Run> {
        let page_idx = sc.pages2page_idx(pages as usize);
        let queue = if whole_chunk_free {
            sc.n_p_sizes() - 1
        } else {
            (page_idx..sc.n_p_sizes()).find(|&i| !self.runs_avail[i].is_empty())?
        };
        // Empty only when a fully free chunk is fragmented (`UncoalescedFreeRuns`).
        let run = self.runs_avail[queue].pop_first()?;
        self.remove_avail_run_map(run);
        if run.pages > pages {
            self.insert_avail_run(
                sc,
                Run {
                    offset: run.offset + pages,
                    pages: run.pages - pages,
                },
            );
        }
        Some(Run {
            offset: run.offset,
            pages,
        })
    }

    /// Puts a freed run back, merged with free neighbours unless `skip_coalescing`.
    pub(crate) fn free(&mut self, sc: &SizeClasses, run: Run, skip_coalescing: bool) {
        let merged = if skip_coalescing {
            run
        } else {
            let past = self.collapse_past(sc, run);
            self.collapse_next(sc, past)
        };
        self.insert_avail_run(sc, merged);
    }

    fn collapse_past(&mut self, sc: &SizeClasses, mut run: Run) -> Run {
        while run.offset > 0 {
            match self.runs_avail_map.get(&(run.offset - 1)).copied() {
                Some(past) if past != run && past.end() == run.offset => {
                    self.remove_avail_run(sc, past);
                    run = Run {
                        offset: past.offset,
                        pages: past.pages + run.pages,
                    };
                }
                _ => break,
            }
        }
        run
    }

    fn collapse_next(&mut self, sc: &SizeClasses, mut run: Run) -> Run {
        while let Some(next) = self.runs_avail_map.get(&run.end()).copied() {
            if next == run || next.offset != run.end() {
                break;
            }
            self.remove_avail_run(sc, next);
            run = Run {
                offset: run.offset,
                pages: run.pages + next.pages,
            };
        }
        run
    }

    fn insert_avail_run(&mut self, sc: &SizeClasses, run: Run) {
        let idx = sc.pages2page_idx_floor(run.pages as usize);
        self.runs_avail[idx].insert(run);
        self.runs_avail_map.insert(run.offset, run);
        if run.pages > 1 {
            self.runs_avail_map.insert(run.end() - 1, run);
        }
    }

    fn remove_avail_run(&mut self, sc: &SizeClasses, run: Run) {
        let idx = sc.pages2page_idx_floor(run.pages as usize);
        self.runs_avail[idx].remove(&run);
        self.remove_avail_run_map(run);
    }

    fn remove_avail_run_map(&mut self, run: Run) {
        self.runs_avail_map.remove(&run.offset);
        if run.pages > 1 {
            self.runs_avail_map.remove(&(run.end() - 1));
        }
    }
}
