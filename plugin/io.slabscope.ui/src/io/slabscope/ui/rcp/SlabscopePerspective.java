package io.slabscope.ui.rcp;

import io.slabscope.ui.views.FragmentationView;
import io.slabscope.ui.views.HeapLayoutView;
import io.slabscope.ui.views.SlabCachesView;
import org.eclipse.ui.IFolderLayout;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.IPerspectiveFactory;

/** The Slabscope perspective: Heap Layout and Slab Caches side by side, Fragmentation below. */
public final class SlabscopePerspective implements IPerspectiveFactory {
    public static final String ID = "io.slabscope.ui.perspective";

    @Override
    public void createInitialLayout(IPageLayout layout) {
        String editor = layout.getEditorArea();
        layout.setEditorAreaVisible(false);
        IFolderLayout left = layout.createFolder("io.slabscope.ui.left", IPageLayout.TOP, 0.58f, editor);
        left.addView(HeapLayoutView.ID);
        IFolderLayout right = layout.createFolder("io.slabscope.ui.right", IPageLayout.RIGHT, 0.52f,
                "io.slabscope.ui.left");
        right.addView(SlabCachesView.ID);
        IFolderLayout bottom = layout.createFolder("io.slabscope.ui.bottom", IPageLayout.BOTTOM, 0.58f,
                "io.slabscope.ui.left");
        bottom.addView(FragmentationView.ID);
        layout.addShowViewShortcut(HeapLayoutView.ID);
        layout.addShowViewShortcut(SlabCachesView.ID);
        layout.addShowViewShortcut(FragmentationView.ID);
    }
}
